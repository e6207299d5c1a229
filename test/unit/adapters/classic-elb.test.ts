import { AttachLoadBalancersCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  AccessPointNotFoundException,
  DeregisterInstancesFromLoadBalancerCommand,
  ElasticLoadBalancingClient,
  InvalidEndPointException,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import { errorName } from '../../../functions/core/aws/errors.ts';
import { awsCallFailed } from '../../../functions/core/findings/aws-calls.ts';
import { ClassicElbPort } from '../../../functions/core/lb/classic.ts';
import { accessDenied, serviceError, settle, throttled } from './aws-errors.ts';

/** The classic-ELB adapter of the load-balancer port, against SDK answers it cannot get from moto. */
const NAME = 'api-internal';
const GROUP = 'control-plane-eu-west-1a.masters.k8s.example.com';
const gone = (code = 'InvalidEndPoint') =>
  code === 'InvalidEndPoint'
    ? new InvalidEndPointException({ message: 'The instance is not registered', $metadata: {} })
    : serviceError(code, 'The instance is not registered', 400);
const instances = (...ids: string[]) => ({
  LoadBalancerName: NAME,
  Instances: ids.map((InstanceId) => ({ InstanceId })),
});

function setup() {
  const autoscaling = new AutoScalingClient({ region: 'eu-west-1' });
  const elb = new ElasticLoadBalancingClient({ region: 'eu-west-1' });
  const mocks = { asg: mockClient(autoscaling), elb: mockClient(elb) };
  // a call the adapter should not make fails the test
  mocks.asg.onAnyCommand().rejects(new Error('unexpected Auto Scaling call'));
  mocks.elb.onAnyCommand().rejects(new Error('unexpected ELB call'));
  return { ...mocks, port: new ClassicElbPort({ autoscaling, elb } as unknown as AwsClients, NAME) };
}

let asg: ReturnType<typeof setup>['asg'];
let elb: ReturnType<typeof setup>['elb'];
let port: ClassicElbPort;

beforeEach(() => {
  ({ asg, elb, port } = setup());
});

describe('classic ELB adapter: attach', () => {
  it('attaches the load balancer by name to the group', async () => {
    asg
      .on(AttachLoadBalancersCommand, { AutoScalingGroupName: GROUP, LoadBalancerNames: [NAME] })
      .resolves({});
    expect(await settle(port.attach(GROUP))).toEqual({ value: undefined });
  });

  it('throws access denied as AWS said it, which the run reports as AWS_CALL_FAILED naming it', async () => {
    asg.on(AttachLoadBalancersCommand).rejects(accessDenied('autoscaling:AttachLoadBalancers'));
    const { error } = await settle(port.attach(GROUP));
    expect(errorName(error)).toBe('AccessDenied');
    const f = awsCallFailed('k8s.example.com', 'registrar', 'repair', error);
    expect(f.code).toBe('AWS_CALL_FAILED');
    expect(f.actual).toBe(
      'AccessDenied: User: arn:aws:sts::123456789012:assumed-role/sentinel/fn is not authorized to perform: autoscaling:AttachLoadBalancers',
    );
  });

  it('throws throttling (the SDK has spent its retries by then)', async () => {
    asg.on(AttachLoadBalancersCommand).rejects(throttled());
    expect(errorName((await settle(port.attach(GROUP))).error)).toBe('Throttling');
  });
});

describe('classic ELB adapter: register', () => {
  it('registers nothing for no instances, without a call', async () => {
    expect(await settle(port.register([]))).toEqual({ value: undefined });
  });

  it('registers the instances in one call', async () => {
    elb.on(RegisterInstancesWithLoadBalancerCommand, instances('i-1', 'i-2')).resolves({ Instances: [] });
    expect(await settle(port.register(['i-1', 'i-2']))).toEqual({ value: undefined });
  });

  it('throws when the load balancer does not exist or the call is throttled', async () => {
    elb
      .on(RegisterInstancesWithLoadBalancerCommand)
      .rejectsOnce(
        new AccessPointNotFoundException({ message: 'There is no ACTIVE Load Balancer', $metadata: {} }),
      )
      .rejectsOnce(throttled());
    expect(errorName((await settle(port.register(['i-1']))).error)).toBe('AccessPointNotFound');
    expect(errorName((await settle(port.register(['i-1']))).error)).toBe('Throttling');
  });
});

describe('classic ELB adapter: deregister (already gone is success)', () => {
  it('an instance that is no longer registered is success, under either error code', async () => {
    elb
      .on(DeregisterInstancesFromLoadBalancerCommand, instances('i-1'))
      .rejectsOnce(gone())
      .rejectsOnce(gone('InvalidInstance'));
    expect(await settle(port.deregister(['i-1']))).toEqual({ value: undefined });
    expect(await settle(port.deregister(['i-1']))).toEqual({ value: undefined });
  });

  it('one gone instance in a batch: the others are still deregistered, one by one', async () => {
    elb.on(DeregisterInstancesFromLoadBalancerCommand, instances('i-1', 'i-2', 'i-3')).rejects(gone());
    elb.on(DeregisterInstancesFromLoadBalancerCommand, instances('i-1')).resolves({ Instances: [] });
    elb.on(DeregisterInstancesFromLoadBalancerCommand, instances('i-2')).rejects(gone());
    elb.on(DeregisterInstancesFromLoadBalancerCommand, instances('i-3')).resolves({ Instances: [] });
    expect(await settle(port.deregister(['i-1', 'i-2', 'i-3']))).toEqual({ value: undefined });
    const sent = elb
      .commandCalls(DeregisterInstancesFromLoadBalancerCommand)
      .map((c) => c.args[0].input.Instances?.map((i) => i.InstanceId).join(','));
    expect(sent).toEqual(['i-1,i-2,i-3', 'i-1', 'i-2', 'i-3']);
  });

  it('throttling while going one by one is thrown, not taken for gone', async () => {
    elb.on(DeregisterInstancesFromLoadBalancerCommand, instances('i-1', 'i-2')).rejects(gone());
    elb.on(DeregisterInstancesFromLoadBalancerCommand, instances('i-1')).rejects(throttled());
    expect(errorName((await settle(port.deregister(['i-1', 'i-2']))).error)).toBe('Throttling');
  });

  it('access denied and a missing load balancer are failures, not "gone"', async () => {
    elb
      .on(DeregisterInstancesFromLoadBalancerCommand)
      .rejectsOnce(accessDenied('elasticloadbalancing:DeregisterInstancesFromLoadBalancer'))
      .rejectsOnce(
        new AccessPointNotFoundException({ message: 'There is no ACTIVE Load Balancer', $metadata: {} }),
      );
    expect(errorName((await settle(port.deregister(['i-1', 'i-2']))).error)).toBe('AccessDenied');
    expect(errorName((await settle(port.deregister(['i-1', 'i-2']))).error)).toBe('AccessPointNotFound');
    // neither was retried id by id
    expect(elb.commandCalls(DeregisterInstancesFromLoadBalancerCommand)).toHaveLength(2);
  });
});
