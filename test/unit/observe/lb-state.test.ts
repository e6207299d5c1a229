import {
  DescribeLoadBalancersCommand as DescribeClassicCommand,
  DescribeInstanceHealthCommand,
  ElasticLoadBalancingClient,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import { adaptersOf } from '../../../functions/core/lb/registrations.ts';
import { readLbStates } from '../../../functions/core/observe/lb-state.ts';
import { clusterConfig, ELB, id, TG } from '../plan/picture.ts';

const config = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };

function world() {
  const elb = new ElasticLoadBalancingClient(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  return { clients: { elb, elbv2 } as unknown as AwsClients, elb: mockClient(elb), elbv2: mockClient(elbv2) };
}

const target = (n: number, Port: number, State: TargetHealthStateEnum) => ({
  Target: { Id: id(n), Port },
  TargetHealth: { State },
});

describe('the load-balancer reader', () => {
  it('a draining target counts neither as registered nor in health; ports are kept per instance', async () => {
    const w = world();
    const cluster = clusterConfig({ classic: [] });
    w.elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        target(1, 443, 'healthy'),
        target(1, 8443, 'unhealthy'),
        target(2, 443, 'draining'),
      ],
    });
    w.elbv2
      .on(DescribeTargetGroupsCommand)
      .resolves({ TargetGroups: [{ TargetGroupArn: TG, LoadBalancerArns: [] }] });
    const [plain] = await readLbStates(w.clients, cluster, adaptersOf(cluster, w.clients));
    expect([...(plain?.instanceIds ?? [])]).toEqual([id(1)]);
    expect(plain?.ports?.get(id(1))).toEqual([443, 8443]);
    expect(plain?.instances).toEqual([]);
    const [health] = await readLbStates(w.clients, cluster, adaptersOf(cluster, w.clients), { health: true });
    expect(health?.instances.map((i) => `${i.instanceId}:${i.port} ${i.state}`)).toEqual([
      `${id(1)}:443 healthy`,
      `${id(1)}:8443 unhealthy`,
    ]);
    expect([...(health?.instanceIds ?? [])]).toEqual([id(1)]);
  });

  it('without health, one DescribeLoadBalancers for the classic ELBs and one DescribeTargetHealth per target group', async () => {
    const w = world();
    const cluster = clusterConfig();
    w.elb.on(DescribeClassicCommand).resolves({
      LoadBalancerDescriptions: [{ LoadBalancerName: ELB, Instances: [{ InstanceId: id(1) }] }],
    });
    w.elbv2
      .on(DescribeTargetHealthCommand)
      .resolves({ TargetHealthDescriptions: [target(1, 443, 'healthy')] });
    const states = await readLbStates(w.clients, cluster, adaptersOf(cluster, w.clients));
    expect(states.map((s) => `${s.label} ${s.exists} ${[...s.instanceIds].join(',')}`)).toEqual([
      `elb/${ELB} true ${id(1)}`,
      `targetgroup/k8s-api/0123456789abcdef true ${id(1)}`,
    ]);
    expect(w.elb.calls()).toHaveLength(1);
    expect(w.elbv2.calls()).toHaveLength(1);
  });

  it('a target group that does not exist is absent, and its health is not asked for', async () => {
    const w = world();
    const cluster = clusterConfig({ classic: [] });
    w.elbv2
      .on(DescribeTargetGroupsCommand)
      .rejects(Object.assign(new Error('not found'), { name: 'TargetGroupNotFoundException' }));
    const [state] = await readLbStates(w.clients, cluster, adaptersOf(cluster, w.clients), { health: true });
    expect(state?.exists).toBe(false);
    expect(w.elbv2.commandCalls(DescribeTargetHealthCommand)).toHaveLength(0);
  });

  it('one missing classic ELB among two: the batch falls back to one call per name', async () => {
    const w = world();
    const cluster = clusterConfig({ classic: ['a', 'b'], tgs: [] });
    const notFound = Object.assign(new Error('gone'), { name: 'LoadBalancerNotFound' });
    w.elb
      .on(DescribeClassicCommand, { LoadBalancerNames: ['a', 'b'] })
      .rejects(notFound)
      .on(DescribeClassicCommand, { LoadBalancerNames: ['a'] })
      .resolves({ LoadBalancerDescriptions: [{ LoadBalancerName: 'a', Instances: [] }] })
      .on(DescribeClassicCommand, { LoadBalancerNames: ['b'] })
      .rejects(notFound);
    const states = await readLbStates(w.clients, cluster, adaptersOf(cluster, w.clients));
    expect(states.map((s) => `${s.label} ${s.exists}`)).toEqual(['elb/a true', 'elb/b false']);
  });

  it('with health: listeners, health checks and instance health of both kinds', async () => {
    const w = world();
    const cluster = clusterConfig();
    const lbArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/api/0123';
    w.elb.on(DescribeClassicCommand).resolves({
      LoadBalancerDescriptions: [
        { LoadBalancerName: ELB, DNSName: 'elb.example', Instances: [{ InstanceId: id(1) }] },
      ],
    });
    w.elb.on(DescribeInstanceHealthCommand).resolves({
      InstanceStates: [
        { InstanceId: id(1), State: 'OutOfService', ReasonCode: 'Instance', Description: 'N/A' },
      ],
    });
    w.elbv2
      .on(DescribeTargetGroupsCommand)
      .resolves({ TargetGroups: [{ TargetGroupArn: TG, LoadBalancerArns: [lbArn] }] });
    w.elbv2.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: [{ LoadBalancerArn: lbArn, LoadBalancerName: 'api', DNSName: 'nlb.example' }],
    });
    w.elbv2.on(DescribeListenersCommand).resolves({ Listeners: [] });
    w.elbv2
      .on(DescribeTargetHealthCommand)
      .resolves({ TargetHealthDescriptions: [target(1, 443, 'healthy')] });
    const [classic, tg] = await readLbStates(w.clients, cluster, adaptersOf(cluster, w.clients), {
      health: true,
    });
    expect(classic?.frontends.map((f) => f.dnsName)).toEqual(['elb.example']);
    expect(classic?.instances).toEqual([
      { instanceId: id(1), healthy: false, state: 'OutOfService', reason: 'Instance' },
    ]);
    expect(classic?.healthCheck).toBeDefined();
    expect(tg?.frontends.map((f) => `${f.name} ${f.dnsName}`)).toEqual(['api nlb.example']);
    expect(tg?.instances.map((i) => i.healthy)).toEqual([true]);
  });

  it('registers on api.instancePort: the port comes from the config, through the ref, not the class', async () => {
    const w = world();
    const cluster = clusterConfig({ classic: [], instancePort: 6443 });
    w.elbv2.on(RegisterTargetsCommand).resolves({});
    const [adapter] = adaptersOf(cluster, w.clients);
    await adapter?.register([id(1)]);
    expect(w.elbv2.commandCalls(RegisterTargetsCommand)[0]?.args[0].input.Targets).toEqual([
      { Id: id(1), Port: 6443 },
    ]);
  });
});
