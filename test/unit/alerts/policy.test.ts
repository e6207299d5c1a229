import { describe, expect, it } from 'vitest';
import {
  type AlertRecord,
  confirmDelivery,
  DEFAULT_LEASE_MS,
  type Decision,
  decide,
  type Observation,
  type PolicyConfig,
  releaseClaim,
} from '../../../functions/core/alerts/policy.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const CLUSTER = 'k8s.example.com';
const GROUP = 'control-plane-eu-west-1a.masters.k8s.example.com';
const T0 = Date.parse('2026-11-02T10:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

const config: PolicyConfig = { reminderHours: 6, resolveAfterPasses: 2, fireAfterFailures: 1 };

const notAttached: Finding = finding('LB_NOT_ATTACHED', {
  cluster: CLUSTER,
  resource: GROUP,
  expected: 'lb:api-internal attached',
  actual: 'not attached',
  message: 'The internal API load balancer is not attached to the group.',
  action: 'repair-failed',
});
const drift: Observation = { drifting: true, finding: notAttached };
const pass: Observation = { drifting: false };

/**
 * Drives the policy like publish.ts does against a perfect store: decide, store (version + 1), and
 * confirm every claimed notification. Returns the notifications sent, in order.
 */
class Driver {
  record: AlertRecord | undefined;
  sent: Array<{ kind: string; atMin: number }> = [];
  private n = 0;
  constructor(
    private readonly cfg: PolicyConfig = config,
    private readonly deliver = true,
  ) {}
  step(obs: Observation, atMs: number): Decision {
    const d = decide(this.record, obs, new Date(atMs), this.cfg, { claimId: `c${++this.n}` });
    if (d.changed && d.record) {
      this.record = { ...d.record, version: (this.record?.version ?? 0) + 1 };
      if (d.notify !== 'none' && this.record.outbox) {
        if (this.deliver) {
          this.record = confirmDelivery(this.record, this.record.outbox.id);
          this.sent.push({ kind: d.notify, atMin: Math.round((atMs - T0) / MIN) });
        }
      }
    }
    return d;
  }
}

describe('alert policy', () => {
  it('does nothing for a pass with no alert', () => {
    const d = decide(undefined, pass, new Date(T0), config);
    expect(d).toMatchObject({ record: undefined, notify: 'none', changed: false });
  });

  it('fires once on new drift, then stays quiet before the reminder interval', () => {
    const drv = new Driver();
    expect(drv.step(drift, T0).notify).toBe('fire');
    expect(drv.record).toMatchObject({
      key: `${CLUSTER}|LB_NOT_ATTACHED|${GROUP}`,
      state: 'firing',
      failures: 1,
      notifications: 1,
      lastNotification: 'fire',
      firstSeen: new Date(T0).toISOString(),
    });
    expect(drv.record?.outbox).toBeUndefined();
    // every five minutes for almost six hours: nothing
    for (let t = T0 + 5 * MIN; t < T0 + 6 * HOUR; t += 5 * MIN) {
      expect(drv.step(drift, t).notify).toBe('none');
    }
    expect(drv.sent).toEqual([{ kind: 'fire', atMin: 0 }]);
    expect(drv.record?.failures).toBeGreaterThan(60);
  });

  it('reminds after reminderHours, then again only after another interval', () => {
    const drv = new Driver();
    drv.step(drift, T0);
    expect(drv.step(drift, T0 + 6 * HOUR - 1).notify).toBe('none');
    expect(drv.step(drift, T0 + 6 * HOUR).notify).toBe('remind');
    expect(drv.step(drift, T0 + 6 * HOUR + 5 * MIN).notify).toBe('none');
    expect(drv.step(drift, T0 + 11 * HOUR).notify).toBe('none');
    expect(drv.step(drift, T0 + 12 * HOUR).notify).toBe('remind');
    expect(drv.sent.map((s) => s.kind)).toEqual(['fire', 'remind', 'remind']);
    expect(drv.record?.firstSeen).toBe(new Date(T0).toISOString());
  });

  it('resolves only after resolveAfterPasses passes in a row, with one resolve message', () => {
    const drv = new Driver();
    drv.step(drift, T0);
    const first = drv.step(pass, T0 + 5 * MIN);
    expect(first.notify).toBe('none');
    expect(drv.record).toMatchObject({ state: 'firing', passes: 1 });
    const second = drv.step(pass, T0 + 10 * MIN);
    expect(second.notify).toBe('resolve');
    expect(drv.record).toMatchObject({
      state: 'resolved',
      resolvedAt: new Date(T0 + 10 * MIN).toISOString(),
    });
    // more passes: nothing more, nothing written
    const third = drv.step(pass, T0 + 15 * MIN);
    expect(third).toMatchObject({ notify: 'none', changed: false });
    expect(drv.sent.map((s) => s.kind)).toEqual(['fire', 'resolve']);
  });

  it('damps flapping: a failure during the pass streak resets it without a new alert', () => {
    const drv = new Driver();
    const seq: Observation[] = [drift, pass, drift, pass, drift, pass, drift, pass, pass];
    for (const [i, o] of seq.entries()) drv.step(o, T0 + i * 5 * MIN);
    expect(drv.sent).toEqual([
      { kind: 'fire', atMin: 0 },
      { kind: 'resolve', atMin: 40 },
    ]);
  });

  it('fires again as a new episode after a resolve', () => {
    const drv = new Driver();
    drv.step(drift, T0);
    drv.step(pass, T0 + 5 * MIN);
    drv.step(pass, T0 + 10 * MIN);
    expect(drv.step(drift, T0 + 15 * MIN).notify).toBe('fire');
    expect(drv.record).toMatchObject({
      state: 'firing',
      failures: 1,
      notifications: 1,
      firstSeen: new Date(T0 + 15 * MIN).toISOString(),
    });
    expect(drv.record?.resolvedAt).toBeUndefined();
  });

  it('honours fireAfterFailures: pending until N failing runs in a row; a pass before that is silent', () => {
    const drv = new Driver({ ...config, fireAfterFailures: 3 });
    expect(drv.step(drift, T0).notify).toBe('none');
    expect(drv.record?.state).toBe('pending');
    expect(drv.step(drift, T0 + 5 * MIN).notify).toBe('none');
    expect(drv.step(pass, T0 + 10 * MIN).notify).toBe('none');
    expect(drv.record?.state).toBe('resolved');
    // the count starts again
    expect(drv.step(drift, T0 + 15 * MIN).notify).toBe('none');
    expect(drv.step(drift, T0 + 20 * MIN).notify).toBe('none');
    expect(drv.step(drift, T0 + 25 * MIN).notify).toBe('fire');
    expect(drv.record?.firstSeen).toBe(new Date(T0 + 15 * MIN).toISOString());
    expect(drv.sent).toEqual([{ kind: 'fire', atMin: 25 }]);
  });

  it('resolveAfterPasses 1 resolves on the first pass', () => {
    const drv = new Driver({ ...config, resolveAfterPasses: 1 });
    drv.step(drift, T0);
    expect(drv.step(pass, T0 + 5 * MIN).notify).toBe('resolve');
  });

  it('keeps the latest finding and severity while firing', () => {
    const drv = new Driver();
    drv.step(drift, T0);
    const changed = { ...notAttached, actual: 'detached again', message: 'Still detached.' };
    drv.step({ drifting: true, finding: changed }, T0 + 5 * MIN);
    expect(drv.record?.finding.actual).toBe('detached again');
    expect(drv.record?.lastSeen).toBe(new Date(T0 + 5 * MIN).toISOString());
  });

  it('sets a TTL on every write (30 days by default)', () => {
    const drv = new Driver();
    drv.step(drift, T0);
    drv.step(pass, T0 + 5 * MIN);
    drv.step(pass, T0 + 10 * MIN);
    expect(drv.record?.ttl).toBe(Math.floor((T0 + 10 * MIN) / 1000) + 30 * 86_400);
  });

  describe('the outbox (never lose, never double-send)', () => {
    it('while another claimant holds the lease, a concurrent decision sends nothing', () => {
      const a = decide(undefined, drift, new Date(T0), config, { claimId: 'A' });
      expect(a.notify).toBe('fire');
      const stored = { ...(a.record as AlertRecord), version: 1 };
      // B lost the conditional write, re-read and decides again at the same moment
      const b = decide(stored, drift, new Date(T0 + 50), config, { claimId: 'B' });
      expect(b.notify).toBe('none');
      expect(b.record?.outbox?.id).toBe('A');
      // A's confirmation still matches after B's write
      const confirmed = confirmDelivery({ ...(b.record as AlertRecord), version: 2 }, 'A');
      expect(confirmed.outbox).toBeUndefined();
      expect(confirmed.notifications).toBe(1);
    });

    it('a released claim (SNS failed) is sent again by the next run, as the same kind', () => {
      const a = decide(undefined, drift, new Date(T0), config, { claimId: 'A' });
      const released = releaseClaim({ ...(a.record as AlertRecord), version: 1 }, 'A');
      expect(released.outbox?.leaseUntil).toBe(0);
      expect(released.lastNotified).toBeUndefined();
      const retry = decide(released, drift, new Date(T0 + 30_000), config, { claimId: 'R' });
      expect(retry.notify).toBe('fire');
      expect(retry.record?.outbox).toMatchObject({ id: 'R', kind: 'fire' });
    });

    it('a claim whose lease ran out (the publisher died) is sent again', () => {
      const a = decide(undefined, drift, new Date(T0), config, { claimId: 'A' });
      const stored = { ...(a.record as AlertRecord), version: 1 };
      expect(decide(stored, drift, new Date(T0 + DEFAULT_LEASE_MS - 1), config).notify).toBe('none');
      expect(decide(stored, drift, new Date(T0 + DEFAULT_LEASE_MS), config).notify).toBe('fire');
    });

    it('an owed fire that never got out is dropped, not followed by a lone resolve', () => {
      const a = decide(
        undefined,
        drift,
        new Date(T0),
        { ...config, resolveAfterPasses: 1 },
        { claimId: 'A' },
      );
      const released = releaseClaim({ ...(a.record as AlertRecord), version: 1 }, 'A');
      const d = decide(released, pass, new Date(T0 + 5 * MIN), { ...config, resolveAfterPasses: 1 });
      expect(d.notify).toBe('none');
      expect(d.record?.state).toBe('resolved');
      expect(d.record?.outbox).toBeUndefined();
    });

    it('an owed resolve is sent again on the next passing run', () => {
      const drv = new Driver();
      drv.step(drift, T0);
      drv.step(pass, T0 + 5 * MIN);
      const r = decide(drv.record, pass, new Date(T0 + 10 * MIN), config, { claimId: 'R1' });
      expect(r.notify).toBe('resolve');
      const released = releaseClaim({ ...(r.record as AlertRecord), version: 9 }, 'R1');
      const again = decide(released, pass, new Date(T0 + 15 * MIN), config, { claimId: 'R2' });
      expect(again.notify).toBe('resolve');
      expect(again.record?.outbox?.id).toBe('R2');
    });

    it('confirm and release ignore a claim that was replaced', () => {
      const a = decide(undefined, drift, new Date(T0), config, { claimId: 'A' });
      const rec = a.record as AlertRecord;
      expect(confirmDelivery(rec, 'other')).toBe(rec);
      expect(releaseClaim(rec, 'other')).toBe(rec);
    });
  });

  it('no delivery: fire stays owed and is not turned into reminders', () => {
    const drv = new Driver(config, false);
    expect(drv.step(drift, T0).notify).toBe('fire');
    expect(drv.record?.notifications).toBe(0);
    expect(drv.step(drift, T0 + 7 * HOUR).notify).toBe('fire');
  });

  describe('fireAfterFailures counts runs of one kind in a row', () => {
    const two: PolicyConfig = { ...config, fireAfterFailures: 2 };
    const seenBy = (source: string): Observation => ({ drifting: true, finding: notAttached, source });

    it('the registrar and the verifier seeing the drift on one tick are one sighting each: no page yet', () => {
      const drv = new Driver(two);
      expect(drv.step(seenBy('registrar'), T0).notify).toBe('none');
      expect(drv.step(seenBy('verifier'), T0).notify).toBe('none');
      expect(drv.record).toMatchObject({ state: 'pending', failuresBy: { registrar: 1, verifier: 1 } });
      // the next tick: both kinds see it a second time in a row, and it pages once
      expect(drv.step(seenBy('verifier'), T0 + 5 * MIN).notify).toBe('fire');
      expect(drv.step(seenBy('registrar'), T0 + 5 * MIN).notify).toBe('none');
      expect(drv.sent).toEqual([{ kind: 'fire', atMin: 5 }]);
    });

    it('two verifier runs in a row page, whatever the registrar saw', () => {
      const drv = new Driver(two);
      drv.step(seenBy('verifier'), T0);
      expect(drv.step(seenBy('verifier'), T0 + 5 * MIN).notify).toBe('fire');
      expect(drv.record?.failuresBy).toEqual({ verifier: 2 });
    });

    it('a pass between two sightings starts every streak again', () => {
      const drv = new Driver(two);
      drv.step(seenBy('verifier'), T0);
      drv.step(seenBy('registrar'), T0);
      drv.step(pass, T0 + 5 * MIN);
      expect(drv.step(seenBy('verifier'), T0 + 10 * MIN).notify).toBe('none');
      expect(drv.record?.failuresBy).toEqual({ verifier: 1 });
      expect(drv.step(seenBy('verifier'), T0 + 15 * MIN).notify).toBe('fire');
    });

    it('a one-time finding (follow-up deadline passed) pages on its first sighting', () => {
      const notVerified = finding('NEW_INSTANCE_NOT_VERIFIED', {
        cluster: CLUSTER,
        resource: 'i-0123456789abcdef0',
        expected: 'registered, healthy, serving a certificate from the kops CA',
        actual: 'INSTANCE_UNHEALTHY',
        message: 'i-0123456789abcdef0 did not pass verification within 15 minutes',
      });
      const drv = new Driver({ ...config, fireAfterFailures: 3 });
      const d = drv.step({ drifting: true, finding: notVerified, source: 'verifier' }, T0);
      expect(d.notify).toBe('fire');
      expect(d.reason).toMatch(/one-time/);
      expect(drv.record?.state).toBe('firing');
    });
  });
});
