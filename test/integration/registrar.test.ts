import {
  DeleteTagsCommand,
  DetachLoadBalancersCommand,
  DetachLoadBalancerTargetGroupsCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { DeregisterTargetsCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { CallCounter } from '../../functions/core/aws/clients.ts';
import type { Finding } from '../../functions/core/findings/finding.ts';
import { silentLog } from '../../functions/core/log.ts';
import { createHandler } from '../../functions/registrar/handler.ts';
import { autoScalingEvent, detachEvent } from '../../sandbox/events.ts';
import { detachAsKopsUpdateWould } from '../../sandbox/kops-account.ts';
import { buildWorld, CLUSTER, type World } from '../../sandbox/world.ts';
import { classicInstances, group, liveControlPlaneInstances, targets } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

const moto = withMoto();
let world: World;
const counter = new CallCounter();
let clients = createAwsClients();

function handlerFor(config = world.config) {
  return createHandler(() => ({ config, clients }));
}

const invoke = (event: unknown, config = world.config) =>
  handlerFor(config)(event, { awsRequestId: 'test', functionName: 'registrar' } as never);

async function firstInstance(name: string): Promise<string> {
  const g = await group(clients, name);
  const id = g.liveInstanceIds[0];
  if (!id) throw new Error(`${name} has no live instance`);
  return id;
}

beforeEach(async () => {
  await moto().reset();
  clients = createAwsClients({ counter });
  world = await buildWorld(clients, { oldCluster: true, otherCluster: true });
  // moto quirk: each Auto Scaling change sets a classic ELB's instances to that one group's, so
  // after building three groups the ELB holds only the last one's; a sweep settles it, as the
  // scheduled sweep does in production.
  expect(await invoke({ action: 'reconcile' })).toMatchObject({ status: 'done', inSync: true, drift: [] });
  counter.reset();
});

describe('registrar against a kops-shaped account', () => {
  it('does nothing in steady state, with at most 3 AWS calls per launch event', async () => {
    const g = world.groups[0] ?? '';
    const id = await firstInstance(g);
    counter.reset();
    const res = await invoke(autoScalingEvent('EC2 Instance Launch Successful', g, id));
    expect(res).toMatchObject({ status: 'done', inSync: true, drift: [] });
    expect(counter.total).toBeLessThanOrEqual(3);
    expect([...counter.calls.keys()].some((k) => /Register|Attach/.test(k))).toBe(false);
  });

  it('re-attaches a load balancer that `kops update cluster` detached (CloudTrail event)', async () => {
    const g = world.groups[1] ?? '';
    await detachAsKopsUpdateWould(clients, g, {
      classic: [world.lbs.classicName],
      targetGroupArns: [world.lbs.targetGroupArn],
    });
    expect((await group(clients, g)).loadBalancerNames).toEqual([]);
    const res = await invoke(detachEvent(g, [world.lbs.classicName]));
    expect(res.status).toBe('done');
    const after = await group(clients, g);
    expect(after.loadBalancerNames).toEqual([world.lbs.classicName]);
    expect(after.targetGroupArns).toEqual([world.lbs.targetGroupArn]);
    const live = await liveControlPlaneInstances(clients, world.groups);
    expect(await targets(clients, world.lbs.targetGroupArn)).toEqual(live);
    expect(await classicInstances(clients, world.lbs.classicName)).toEqual(
      expect.arrayContaining(after.liveInstanceIds),
    );
  });

  it('changes nothing in report-only mode and says what it would do', async () => {
    const g = world.groups[0] ?? '';
    const reportOnly = {
      ...world.config,
      clusters: world.config.clusters.map((c) => ({ ...c, mode: 'report-only' as const })),
    };
    const id = await firstInstance(g);
    await clients.autoscaling.send(
      new DetachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: g,
        TargetGroupARNs: [world.lbs.targetGroupArn],
      }),
    );
    const before = await targets(clients, world.lbs.targetGroupArn);
    counter.reset();
    const res = await invoke(autoScalingEvent('EC2 Instance Launch Successful', g, id), reportOnly);
    expect(res).toMatchObject({ status: 'done', inSync: false });
    const tg = `targetgroup/k8s-api-internal-tcp/${world.lbs.targetGroupArn.split('/').pop()}`;
    expect(res.status === 'done' && res.actions).toEqual([
      `would-repair LB_NOT_ATTACHED ${tg}:${g}`,
      `would-repair INSTANCE_NOT_REGISTERED ${tg}:${id}`,
    ]);
    expect([...counter.calls.keys()].filter((k) => /Register|Attach|Deregister|Detach/.test(k))).toEqual([]);
    expect((await group(clients, g)).targetGroupArns).toEqual([]);
    expect(await targets(clients, world.lbs.targetGroupArn)).toEqual(before);
  });

  it('registers a missing instance once, however often the launch event is delivered', async () => {
    const g = world.groups[2] ?? '';
    const id = await firstInstance(g);
    await clients.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: id }] }),
    );
    expect(await targets(clients, world.lbs.targetGroupArn)).not.toContain(id);
    const event = autoScalingEvent('EC2 Instance Launch Successful', g, id);
    counter.reset();
    for (let i = 0; i < 10; i++) expect((await invoke(event)).status).toBe('done');
    expect(counter.calls.get('ELBv2.RegisterTargets')).toBe(1);
    expect((await targets(clients, world.lbs.targetGroupArn)).filter((t) => t === id)).toHaveLength(1);
  });

  it('ends correct through a rolling update, with terminates arriving after the replacement launch', async () => {
    for (const g of world.groups) {
      const old = await firstInstance(g);
      await clients.autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: old,
          ShouldDecrementDesiredCapacity: false,
        }),
      );
      const replacement = (await group(clients, g)).liveInstanceIds.find((id) => id !== old) ?? '';
      expect(replacement).toMatch(/^i-/);
      // out of order and duplicated: the replacement's launch first, the old one's terminate after, twice
      await invoke(autoScalingEvent('EC2 Instance Launch Successful', g, replacement));
      // a lifecycle hook of someone else's: acted on, but not completed by the sentinel
      await invoke(
        autoScalingEvent('EC2 Instance-terminate Lifecycle Action', g, old, {
          LifecycleHookName: 'drain-hook',
        }),
      );
      await invoke(autoScalingEvent('EC2 Instance Terminate Successful', g, old));
      await invoke(autoScalingEvent('EC2 Instance Terminate Successful', g, old));
    }
    const live = await liveControlPlaneInstances(clients, world.groups);
    expect(live).toHaveLength(world.groups.length);
    expect(await targets(clients, world.lbs.targetGroupArn)).toEqual(live);
    // the classic ELB after moto's per-group overwrite (see beforeEach): the next sweep settles it
    expect(await invoke({ action: 'reconcile' })).toMatchObject({ status: 'done', inSync: true, drift: [] });
    expect(await classicInstances(clients, world.lbs.classicName)).toEqual(live);
  });

  it('ignores node groups and control-plane groups of other clusters, and never registers their instances', async () => {
    const other = world.otherGroups[0] ?? '';
    const otherId = await firstInstance(other);
    const res = await invoke(autoScalingEvent('EC2 Instance Launch Successful', other, otherId));
    expect(res.status).toBe('ignored');
    const nodeId = await firstInstance(world.nodeGroup);
    expect(
      (await invoke(autoScalingEvent('EC2 Instance Launch Successful', world.nodeGroup, nodeId))).status,
    ).toBe('ignored');
    expect(await targets(clients, world.lbs.targetGroupArn)).not.toContain(otherId);
    expect(await classicInstances(clients, world.lbs.classicName)).not.toContain(nodeId);
  });

  it('the sweep removes a registration of another cluster and repairs the older cluster', async () => {
    const otherId = await firstInstance(world.otherGroups[0] ?? '');
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: otherId }] }),
    );
    const oldGroup = world.oldGroups[0] ?? '';
    await clients.autoscaling.send(
      new DetachLoadBalancersCommand({
        AutoScalingGroupName: oldGroup,
        LoadBalancerNames: [world.oldClassicName ?? ''],
      }),
    );
    const res = await invoke({ action: 'reconcile' });
    expect(res).toMatchObject({ status: 'done', inSync: true, drift: [] });
    expect(await targets(clients, world.lbs.targetGroupArn)).toEqual(
      await liveControlPlaneInstances(clients, world.groups),
    );
    expect((await group(clients, oldGroup)).loadBalancerNames).toEqual([world.oldClassicName]);
  });

  it('never deregisters a running control-plane instance whose group lost its tags; reports it', async () => {
    const g = world.groups[0] ?? '';
    const id = await firstInstance(g);
    await clients.autoscaling.send(
      new DeleteTagsCommand({
        Tags: ['k8s.io/role/master', 'k8s.io/role/control-plane'].map((Key) => ({
          ResourceId: g,
          ResourceType: 'auto-scaling-group',
          Key,
        })),
      }),
    );
    const { handleRegistrarEvent } = await import('../../functions/core/registrar/registrar.ts');
    const out = await handleRegistrarEvent(
      { kind: 'reconcile', cluster: CLUSTER },
      { config: world.config, clients, log: silentLog },
    );
    const findings = out.verdicts[0]?.findings ?? [];
    expect(findings.filter((f) => f.code === 'GROUP_TAGS_MISMATCH').map((f) => f.resource)).toEqual([g]);
    expect(
      findings.filter((f) => f.code === 'INSTANCE_NOT_IN_GROUP').map((f) => f.resource.split(':').pop()),
    ).toEqual([id, id]);
    expect(findings.filter((f) => f.code === 'STALE_REGISTRATION')).toEqual([]);
    expect(await targets(clients, world.lbs.targetGroupArn)).toContain(id);
    expect(await classicInstances(clients, world.lbs.classicName)).toContain(id);
  });

  it('rejects a malformed event without throwing, so it is not retried', async () => {
    const res = await invoke({
      source: 'aws.autoscaling',
      'detail-type': 'EC2 Instance Launch Successful',
      account: world.config.clusters[0]?.account,
      region: world.config.clusters[0]?.region,
      detail: {},
    });
    expect(res).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('detail.AutoScalingGroupName'),
    });
  });

  it('reports a configured load balancer that does not exist', async () => {
    const config = {
      ...world.config,
      clusters: world.config.clusters.map((c) =>
        c.name === CLUSTER ? { ...c, loadBalancers: { classic: ['no-such-elb'], targetGroupArns: [] } } : c,
      ),
    };
    const { handleRegistrarEvent } = await import('../../functions/core/registrar/registrar.ts');
    const out = await handleRegistrarEvent(
      { kind: 'reconcile', cluster: CLUSTER },
      { config, clients, log: console },
    );
    const codes = out.verdicts[0]?.findings.map((f: Finding) => f.code);
    expect(codes).toContain('LOAD_BALANCER_NOT_FOUND');
    expect(out.verdicts[0]?.inSync).toBe(false);
  });
});
