import { TerminateInstanceInAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { CallCounter } from '../../functions/core/aws/clients.ts';
import { createHandler } from '../../functions/registrar/handler.ts';
import { createHandler as createVerifier } from '../../functions/verifier/handler.ts';
import { autoScalingEvent, detachEvent, loadBalancerChangeEvent } from '../../sandbox/events.ts';
import { buildWorld, type World } from '../../sandbox/world.ts';
import { group } from '../support/aws-state.ts';
import { awsPicture } from '../support/backends.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * Forged, oversized, foreign and replayed events: whatever an event claims, nothing changes in
 * the account unless AWS itself confirms it, and a rejected event makes no AWS call at all.
 */
const moto = withMoto();
let world: World;
const counter = new CallCounter();
let clients = createAwsClients();

const invoke = (event: unknown) =>
  createHandler(() => ({ config: world.config, clients }))(event, {
    awsRequestId: 'adversarial',
    functionName: 'registrar',
  } as never);
const picture = () =>
  awsPicture(clients, { classic: [world.lbs.classicName], targetGroupArns: [world.lbs.targetGroupArn] });
const mutations = () =>
  [...counter.calls.keys()].filter((k) => /Register|Deregister|Attach|Detach|Complete/.test(k)).sort();

async function liveIn(name: string): Promise<string> {
  const id = (await group(clients, name)).liveInstanceIds[0];
  if (!id) throw new Error(`${name} has no live instance`);
  return id;
}

/** Everything the handler writes to stdout/stderr while `run` runs (the Powertools logger writes there). */
async function captured<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const grab = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  };
  process.stdout.write = grab as typeof process.stdout.write;
  process.stderr.write = grab as typeof process.stderr.write;
  try {
    return { result: await run(), lines };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

let before: Record<string, unknown>;
/**
 * Every test leaves the account as it found it (the invariant below), so one world serves them
 * all; it is built again only after a test changed something (by design, or by failing).
 */
let fresh = false;
beforeEach(async () => {
  if (!fresh) {
    await moto().reset();
    clients = createAwsClients({ counter });
    world = await buildWorld(clients, { otherCluster: true });
    // settle moto's classic ELB (see registrar.test.ts), then take the picture every test compares with
    expect(await invoke({ action: 'reconcile' })).toMatchObject({ status: 'done', inSync: true });
    fresh = true;
  }
  before = await picture();
  counter.reset();
});
afterEach(async () => {
  // the invariant of this whole suite
  const after = await picture();
  const changed = mutations();
  if (changed.length > 0 || JSON.stringify(after) !== JSON.stringify(before)) fresh = false;
  expect(after).toEqual(before);
  expect(changed).toEqual([]);
});

describe('forged events change nothing', () => {
  it('a terminate event for an instance Auto Scaling still has InService deregisters nothing', async () => {
    const g = world.groups[0] ?? '';
    const id = await liveIn(g);
    for (const type of [
      'EC2 Instance Terminate Successful',
      'EC2 Instance-terminate Lifecycle Action',
    ] as const) {
      const res = await invoke(
        autoScalingEvent(
          type,
          g,
          id,
          type.includes('Lifecycle') ? { LifecycleHookName: 'someone-elses-hook' } : {},
        ),
      );
      expect(res).toMatchObject({ status: 'done', inSync: true });
    }
  });

  it("a terminate event naming one group and another group's live instance deregisters nothing", async () => {
    const id = await liveIn(world.groups[1] ?? '');
    const res = await invoke(
      autoScalingEvent('EC2 Instance Terminate Successful', world.groups[0] ?? '', id),
    );
    expect(res).toMatchObject({ status: 'done', inSync: true });
  });

  it('a terminate event naming a node or another cluster is ignored', async () => {
    const node = await liveIn(world.nodeGroup);
    expect(
      (await invoke(autoScalingEvent('EC2 Instance Terminate Successful', world.nodeGroup, node))).status,
    ).toBe('ignored');
    const other = world.otherGroups[0] ?? '';
    expect(
      (await invoke(autoScalingEvent('EC2 Instance Terminate Successful', other, await liveIn(other))))
        .status,
    ).toBe('ignored');
  });
});

describe('events from elsewhere, or beyond AWS limits, are rejected before any AWS call', () => {
  const g = () => world.groups[0] ?? '';
  const launch = async (detail: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
    ...autoScalingEvent('EC2 Instance Launch Successful', g(), await liveIn(g()), detail),
    ...top,
  });

  it.each([
    ['another account', async () => launch({}, { account: '999999999999' }), 'event.account'],
    ['another region', async () => launch({}, { region: 'ap-south-1' }), 'event.region'],
    ['no account', async () => launch({}, { account: undefined }), 'event.account'],
    [
      'a CloudTrail detach from another account',
      async () => ({ ...detachEvent(g(), [world.lbs.classicName]), account: '999999999999' }),
      'event.account',
    ],
    [
      'a 5,000-character group name',
      async () => launch({ AutoScalingGroupName: `${'x'.repeat(5000)}.masters.k8s.example.com` }),
      'detail.AutoScalingGroupName',
    ],
    [
      'a 100,000-character instance id',
      async () => launch({ EC2InstanceId: `i-${'0'.repeat(100_000)}` }),
      'detail.EC2InstanceId',
    ],
    [
      'a group name with control characters',
      async () => launch({ AutoScalingGroupName: `${g()}\u0000\r\n` }),
      'detail.AutoScalingGroupName',
    ],
    [
      'a forged lifecycle token',
      async () => ({
        ...autoScalingEvent('EC2 Instance-terminate Lifecycle Action', g(), await liveIn(g())),
        detail: {
          ...(autoScalingEvent('EC2 Instance-terminate Lifecycle Action', g(), await liveIn(g()))
            .detail as object),
          LifecycleActionToken: `${'f'.repeat(36)}' OR 1=1`,
        },
      }),
      'detail.LifecycleActionToken',
    ],
    [
      'a sweep of a 100,000-character cluster',
      async () => ({ action: 'reconcile', cluster: 'c'.repeat(100_000) }),
      'cluster',
    ],
  ])('%s', async (_, build, field) => {
    const event = await build();
    counter.reset();
    const { result, lines } = await captured(() => invoke(event));
    expect(result).toMatchObject({ status: 'rejected', reason: expect.stringContaining(field) });
    expect(result.status === 'rejected' && result.reason.length).toBeLessThan(300);
    expect(counter.total).toBe(0);
    // nothing long reaches the logs: no line carries more than a short prefix of the bad value
    expect(lines.filter((l) => l.length > 2_000)).toEqual([]);
  });
});

describe('the verifier believes load-balancer records of the stack account and region only', () => {
  it.each([
    ['another account', { account: '999999999999' }, 'event.account'],
    ['another region', { region: 'sa-east-1' }, 'event.region'],
    ['an oversized call name', { detail: { eventName: 'x'.repeat(100_000) } }, 'detail.eventName'],
  ])('%s', async (_, override, field) => {
    const verify = createVerifier(() => ({ config: world.config, clients }));
    const res = await verify({ ...loadBalancerChangeEvent('DeregisterTargets'), ...override }, {
      awsRequestId: 'adversarial',
      functionName: 'verifier',
    } as never);
    expect(res).toMatchObject({ status: 'rejected', reason: expect.stringContaining(field) });
    expect(JSON.stringify(res).length).toBeLessThan(400);
    expect(counter.total).toBe(0);
  });
});

describe('replayed events change nothing', () => {
  it('a launch event delivered again and again registers nothing twice', async () => {
    const g = world.groups[2] ?? '';
    const event = autoScalingEvent('EC2 Instance Launch Successful', g, await liveIn(g));
    for (let i = 0; i < 5; i++) expect(await invoke(event)).toMatchObject({ status: 'done', inSync: true });
  });

  it('an old terminate event replayed after the replacement launched takes nothing away', async () => {
    fresh = false; // this test terminates an instance before it replays
    const g = world.groups[0] ?? '';
    const old = await liveIn(g);
    const terminate = autoScalingEvent('EC2 Instance Terminate Successful', g, old);
    await clients.autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: old,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    const replacement = (await group(clients, g)).liveInstanceIds.find((id) => id !== old) ?? '';
    expect(await invoke(autoScalingEvent('EC2 Instance Launch Successful', g, replacement))).toMatchObject({
      status: 'done',
    });
    await invoke(terminate);
    // from here on the account is as it should be: replays must keep it so
    before = await picture();
    counter.reset();
    for (let i = 0; i < 3; i++) {
      expect(await invoke(terminate)).toMatchObject({ status: 'done' });
      expect(await invoke({ ...terminate, id: '00000000-0000-4000-8000-00000000beef' })).toMatchObject({
        status: 'done',
      });
    }
    expect(before[`elb ${world.lbs.classicName}`]).toContain(replacement);
    expect(before[`elb ${world.lbs.classicName}`]).not.toContain(old);
  });
});
