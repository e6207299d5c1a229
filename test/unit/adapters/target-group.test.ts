import { AttachLoadBalancerTargetGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  InvalidTargetException,
  RegisterTargetsCommand,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import { errorName } from '../../../functions/core/aws/errors.ts';
import { TargetGroupPort } from '../../../functions/core/lb/target-group.ts';
import { accessDenied, settle, throttled } from './aws-errors.ts';

/** The target-group adapter of the load-balancer port, against SDK answers it cannot get from moto. */
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-tcp/0123456789abcdef';
const GROUP = 'control-plane-eu-west-1a.masters.k8s.example.com';
const API_PORT = 443;
const notFound = () =>
  new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} });
const gone = () => new InvalidTargetException({ message: 'The target is not registered', $metadata: {} });
const targets = (...t: Array<{ Id: string; Port?: number }>) => ({ TargetGroupArn: ARN, Targets: t });

function setup() {
  const autoscaling = new AutoScalingClient({ region: 'eu-west-1' });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
  const mocks = { asg: mockClient(autoscaling), elbv2: mockClient(elbv2) };
  // a call the adapter should not make fails the test
  mocks.asg.onAnyCommand().rejects(new Error('unexpected Auto Scaling call'));
  mocks.elbv2.onAnyCommand().rejects(new Error('unexpected ELBv2 call'));
  return {
    ...mocks,
    port: new TargetGroupPort({ autoscaling, elbv2 } as unknown as AwsClients, ARN, API_PORT),
  };
}

let asg: ReturnType<typeof setup>['asg'];
let elbv2: ReturnType<typeof setup>['elbv2'];
let port: TargetGroupPort;

beforeEach(() => {
  ({ asg, elbv2, port } = setup());
});

describe('target-group adapter: attach and register', () => {
  it('attaches the target group by ARN; access denied is thrown as AWS said it', async () => {
    asg
      .on(AttachLoadBalancerTargetGroupsCommand, { AutoScalingGroupName: GROUP, TargetGroupARNs: [ARN] })
      .resolvesOnce({})
      .rejectsOnce(accessDenied('autoscaling:AttachLoadBalancerTargetGroups'));
    expect(await settle(port.attach(GROUP))).toEqual({ value: undefined });
    const { error } = await settle(port.attach(GROUP));
    expect(errorName(error)).toBe('AccessDenied');
    expect(error?.message).toContain('autoscaling:AttachLoadBalancerTargetGroups');
  });

  it("registers on the cluster's instance port, and nothing without a call", async () => {
    elbv2
      .on(RegisterTargetsCommand, targets({ Id: 'i-1', Port: API_PORT }, { Id: 'i-2', Port: API_PORT }))
      .resolves({});
    expect(await settle(port.register(['i-1', 'i-2']))).toEqual({ value: undefined });
    expect(await settle(port.register([]))).toEqual({ value: undefined });
  });

  it('throws throttling and a missing target group on register', async () => {
    elbv2.on(RegisterTargetsCommand).rejectsOnce(throttled()).rejectsOnce(notFound());
    expect(errorName((await settle(port.register(['i-1']))).error)).toBe('Throttling');
    expect(errorName((await settle(port.register(['i-1']))).error)).toBe('TargetGroupNotFound');
  });
});

describe('target-group adapter: portsNow', () => {
  it('lists the ports the instance is registered on now, leaving draining ones and other instances out', async () => {
    elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: ARN }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1', Port: API_PORT }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-1', Port: 8443 }, TargetHealth: { State: 'unhealthy' } },
        { Target: { Id: 'i-1', Port: 6443 }, TargetHealth: { State: 'draining' } },
        { Target: { Id: 'i-2', Port: API_PORT }, TargetHealth: { State: 'healthy' } },
      ],
    });
    expect(await port.portsNow('i-1')).toEqual([API_PORT, 8443]);
    expect(await port.portsNow('i-3')).toEqual([]);
  });

  it('a target group that no longer exists has no registrations', async () => {
    elbv2.on(DescribeTargetHealthCommand).rejects(notFound());
    expect(await settle(port.portsNow('i-1'))).toEqual({ value: [] });
  });

  it('a malformed answer (no list, targets without id or port) reads as no registrations', async () => {
    elbv2
      .on(DescribeTargetHealthCommand)
      .resolvesOnce({})
      .resolvesOnce({
        TargetHealthDescriptions: [{}, { Target: { Id: 'i-1' } }, { TargetHealth: { State: 'healthy' } }],
      });
    expect(await port.portsNow('i-1')).toEqual([]);
    expect(await port.portsNow('i-1')).toEqual([]);
  });

  it('throws access denied and throttling instead of reading them as "nothing registered"', async () => {
    elbv2
      .on(DescribeTargetHealthCommand)
      .rejectsOnce(accessDenied('elasticloadbalancing:DescribeTargetHealth'))
      .rejectsOnce(throttled());
    expect(errorName((await settle(port.portsNow('i-1'))).error)).toBe('AccessDenied');
    expect(errorName((await settle(port.portsNow('i-1'))).error)).toBe('Throttling');
  });
});

describe('target-group adapter: deregister (already gone is success)', () => {
  it('names every port the target group showed for an instance, and the bare id for one it did not', async () => {
    elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: 'i-1', Port: API_PORT }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: 'i-1', Port: 8443 }, TargetHealth: { State: 'healthy' } },
      ],
    });
    await port.portsNow('i-1');
    elbv2
      .on(
        DeregisterTargetsCommand,
        targets({ Id: 'i-1', Port: API_PORT }, { Id: 'i-1', Port: 8443 }, { Id: 'i-9' }),
      )
      .resolves({});
    expect(await settle(port.deregister(['i-1', 'i-9']))).toEqual({ value: undefined });
  });

  it('a target that is no longer registered is success; in a batch, the others still go', async () => {
    elbv2.on(DeregisterTargetsCommand, targets({ Id: 'i-1' }, { Id: 'i-2' })).rejects(gone());
    elbv2.on(DeregisterTargetsCommand, targets({ Id: 'i-1' })).rejects(gone());
    elbv2.on(DeregisterTargetsCommand, targets({ Id: 'i-2' })).resolves({});
    expect(await settle(port.deregister(['i-1']))).toEqual({ value: undefined });
    expect(await settle(port.deregister(['i-1', 'i-2']))).toEqual({ value: undefined });
    const sent = elbv2
      .commandCalls(DeregisterTargetsCommand)
      .map((c) => (c.args[0].input.Targets ?? []).map((t) => t.Id).join(','));
    expect(sent).toEqual(['i-1', 'i-1,i-2', 'i-1', 'i-2']);
  });

  it('throttling, access denied and a missing target group are failures, not "gone"', async () => {
    elbv2
      .on(DeregisterTargetsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(accessDenied('elasticloadbalancing:DeregisterTargets'))
      .rejectsOnce(notFound());
    expect(errorName((await settle(port.deregister(['i-1', 'i-2']))).error)).toBe('Throttling');
    expect(errorName((await settle(port.deregister(['i-1', 'i-2']))).error)).toBe('AccessDenied');
    expect(errorName((await settle(port.deregister(['i-1', 'i-2']))).error)).toBe('TargetGroupNotFound');
    expect(elbv2.commandCalls(DeregisterTargetsCommand)).toHaveLength(3);
  });
});

describe('target-group adapter: deregisterPorts', () => {
  it('deregisters only the given ports of the instance, and nothing without a call', async () => {
    elbv2
      .on(DeregisterTargetsCommand, targets({ Id: 'i-1', Port: 8443 }, { Id: 'i-1', Port: 6443 }))
      .resolves({});
    expect(await settle(port.deregisterPorts('i-1', [8443, 6443]))).toEqual({ value: undefined });
    expect(await settle(port.deregisterPorts('i-1', []))).toEqual({ value: undefined });
  });

  it('throws throttling', async () => {
    elbv2.on(DeregisterTargetsCommand).rejects(throttled());
    expect(errorName((await settle(port.deregisterPorts('i-1', [8443]))).error)).toBe('Throttling');
  });
});
