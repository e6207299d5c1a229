import { describe, expect, it } from 'vitest';
import { quote } from '../../../functions/core/events/limits.ts';
import {
  MalformedEventError,
  parseRegistrarEvent as parseWith,
} from '../../../functions/core/events/registrar-event.ts';
import { parseVerifierEvent } from '../../../functions/core/events/verifier-event.ts';
import { autoScalingEvent, detachEvent } from '../../../sandbox/events.ts';

const G = 'control-plane-eu-west-1a.masters.k8s.example.com';
const I = 'i-0b5e3f9c2d7a41e88';
const ORIGIN = { account: '123456789012', region: process.env.AWS_REGION ?? 'eu-west-1' };
const parseRegistrarEvent = (e: unknown) => parseWith(e, ORIGIN);

function rejection(parse: () => unknown): MalformedEventError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedEventError);
    return err as MalformedEventError;
  }
  throw new Error('the event was accepted');
}

describe('registrar events', () => {
  it('parses launch and terminate, successful and lifecycle, whatever StatusCode says', () => {
    expect(parseRegistrarEvent(autoScalingEvent('EC2 Instance Launch Successful', G, I))).toMatchObject({
      kind: 'launch',
      group: G,
      instanceId: I,
    });
    const lc = parseRegistrarEvent(autoScalingEvent('EC2 Instance-launch Lifecycle Action', G, I));
    expect(lc).toMatchObject({ kind: 'launch', hook: { name: 'kops-api-sentinel-launch' } });
    expect(parseRegistrarEvent(autoScalingEvent('EC2 Instance Terminate Successful', G, I))).toMatchObject({
      kind: 'terminate',
    });
    expect(
      parseRegistrarEvent(autoScalingEvent('EC2 Instance-terminate Lifecycle Action', G, I)),
    ).toMatchObject({
      kind: 'terminate',
      hook: { name: 'kops-api-sentinel-launch' },
    });
  });

  it('a failed launch carries an empty instance id and becomes launch-failed', () => {
    const e = autoScalingEvent('EC2 Instance Launch Unsuccessful', G, '', { StatusMessage: 'no capacity' });
    expect(parseRegistrarEvent(e)).toMatchObject({ kind: 'launch-failed', reason: 'no capacity' });
  });

  it('a CloudTrail detach names the group', () => {
    expect(parseRegistrarEvent(detachEvent(G, ['k8s-api-internal']))).toMatchObject({
      kind: 'group-changed',
      group: G,
    });
  });

  it('the schedule asks for a sweep', () => {
    expect(parseRegistrarEvent({ action: 'reconcile' })).toEqual({ kind: 'reconcile' });
  });

  it.each([
    [null, 'event'],
    [{ source: 'aws.ec2', 'detail-type': 'x', detail: {} }, 'event.source'],
    [{ source: 'aws.autoscaling', detail: {} }, 'event.detail-type'],
    [{ ...autoScalingEvent('EC2 Instance Launch Successful', G, I), detail: 'x' }, 'event.detail'],
    [autoScalingEvent('EC2 Instance Launch Successful', G, 'not-an-id'), 'detail.EC2InstanceId'],
    [
      { ...autoScalingEvent('EC2 Instance Launch Successful', G, I), 'detail-type': 'EC2 Spot Interruption' },
      'event.detail-type',
    ],
  ])('rejects a malformed event, naming the field (%#)', (event, field) => {
    try {
      parseRegistrarEvent(event);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedEventError);
      expect((err as MalformedEventError).field).toBe(field);
    }
  });

  const launch = (detail: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
    ...autoScalingEvent('EC2 Instance Launch Successful', G, I, detail),
    ...top,
  });

  it.each([
    ['another account', launch({}, { account: '210987654321' }), 'event.account'],
    ['no account', launch({}, { account: undefined }), 'event.account'],
    ['another region', launch({}, { region: 'us-east-1' }), 'event.region'],
    ['a forged region', launch({}, { region: 'eu-west-1; drop' }), 'event.region'],
    [
      'a 5,000-character group',
      launch({ AutoScalingGroupName: 'g'.repeat(5000) }),
      'detail.AutoScalingGroupName',
    ],
    [
      'a group with a newline',
      launch({ AutoScalingGroupName: 'a\nb.masters.k8s.example.com' }),
      'detail.AutoScalingGroupName',
    ],
    [
      'a 100,000-character instance id',
      launch({ EC2InstanceId: `i-${'a'.repeat(100_000)}` }),
      'detail.EC2InstanceId',
    ],
    ['a 12-hex instance id', launch({ EC2InstanceId: 'i-0123456789ab' }), 'detail.EC2InstanceId'],
    ['an upper-case instance id', launch({ EC2InstanceId: 'i-0B5E3F9C2D7A41E88' }), 'detail.EC2InstanceId'],
    ['a numeric instance id', launch({ EC2InstanceId: 12345678 }), 'detail.EC2InstanceId'],
    ['a non-UUID event id', launch({}, { id: 'x'.repeat(500) }), 'event.id'],
    [
      'a hook name with spaces',
      autoScalingEvent('EC2 Instance-launch Lifecycle Action', G, I, { LifecycleHookName: 'a hook' }),
      'detail.LifecycleHookName',
    ],
    [
      'a 300-character hook name',
      autoScalingEvent('EC2 Instance-launch Lifecycle Action', G, I, { LifecycleHookName: 'h'.repeat(300) }),
      'detail.LifecycleHookName',
    ],
    [
      'a token that is no UUID',
      autoScalingEvent('EC2 Instance-launch Lifecycle Action', G, I, { LifecycleActionToken: 'token' }),
      'detail.LifecycleActionToken',
    ],
    [
      'a CloudTrail call the registrar does not handle',
      {
        ...detachEvent(G, ['k8s-api-internal']),
        detail: { eventName: 'DeleteAutoScalingGroup', requestParameters: { autoScalingGroupName: G } },
      },
      'detail.eventName',
    ],
    [
      'a CloudTrail record naming an oversized group',
      detachEvent('x'.repeat(256), ['k8s-api-internal']),
      'detail.requestParameters.autoScalingGroupName',
    ],
    [
      'a sweep of a 100,000-character cluster',
      { action: 'reconcile', cluster: 'c'.repeat(100_000) },
      'cluster',
    ],
  ])('rejects %s before any AWS call, quoting a short prefix only', (_, event, field) => {
    const err = rejection(() => parseRegistrarEvent(event));
    expect(err.field).toBe(field);
    expect(err.message.length).toBeLessThan(220);
  });

  it('accepts the limits AWS accepts', () => {
    const g255 = `${'a'.repeat(255 - '.masters.k8s.example.com'.length)}.masters.k8s.example.com`;
    expect(
      parseRegistrarEvent(launch({ AutoScalingGroupName: g255, EC2InstanceId: 'i-0123abcd' })),
    ).toMatchObject({
      group: g255,
      instanceId: 'i-0123abcd',
    });
    const e = autoScalingEvent('EC2 Instance Launch Unsuccessful', G, '', {
      StatusMessage: 'm'.repeat(50_000),
    });
    const parsed = parseRegistrarEvent(e);
    expect(parsed.kind === 'launch-failed' && parsed.reason.length).toBeLessThan(400);
  });

  it('quotes at most 40 characters of a bad value, with its length', () => {
    expect(quote('x'.repeat(100_000))).toBe(`"${'x'.repeat(40)}…" (100000 chars)`);
    expect(quote('short')).toBe('"short"');
    expect(quote({ a: 1 })).toBe('an object');
  });

  it('the verifier believes CloudTrail records of the stack account and region only', () => {
    const record = {
      source: 'aws.elasticloadbalancing',
      'detail-type': 'AWS API Call via CloudTrail',
      account: ORIGIN.account,
      region: ORIGIN.region,
      detail: { eventName: 'DeregisterTargets' },
    };
    expect(parseVerifierEvent(record, ORIGIN)).toEqual({
      kind: 'verify',
      reason: 'DeregisterTargets called',
    });
    expect(rejection(() => parseVerifierEvent({ ...record, account: '999999999999' }, ORIGIN)).field).toBe(
      'event.account',
    );
    expect(
      rejection(() => parseVerifierEvent({ ...record, detail: { eventName: 'x'.repeat(10_000) } }, ORIGIN))
        .message.length,
    ).toBeLessThan(200);
  });
});
