import { describe, expect, it } from 'vitest';
import { MalformedEventError, parseRegistrarEvent } from '../../../functions/core/events/registrar-event.ts';
import { autoScalingEvent, detachEvent } from '../../../sandbox/events.ts';

const G = 'control-plane-eu-west-1a.masters.k8s.example.com';
const I = 'i-0b5e3f9c2d7a41e88';

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
    [
      { source: 'aws.autoscaling', 'detail-type': 'EC2 Instance Launch Successful', detail: 'x' },
      'event.detail',
    ],
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
});
