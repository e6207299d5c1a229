import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../../functions/core/alerts/policy.ts';
import { planCluster } from '../../../functions/core/alerts/publish.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const unhealthy = finding('INSTANCE_UNHEALTHY', {
  cluster: 'k8s.example.com',
  resource: 'elb/k8s-api-internal:i-0123456789abcdef0',
  expected: 'healthy',
  actual: 'OutOfService',
  message: 'i-0123456789abcdef0 is OutOfService',
});

const firing: AlertRecord = {
  key: 'k8s.example.com|INSTANCE_UNHEALTHY|elb/k8s-api-internal:i-0123456789abcdef0',
  cluster: 'k8s.example.com',
  check: 'instance-health',
  resource: unhealthy.resource,
  code: 'INSTANCE_UNHEALTHY',
  severity: 'critical',
  state: 'firing',
  failures: 3,
  passes: 0,
  firstSeen: '2026-11-29T06:00:00Z',
  lastSeen: '2026-11-29T06:10:00Z',
  lastEvaluated: '2026-11-29T06:10:00Z',
  notifications: 1,
  finding: unhealthy,
  version: 3,
};

describe('which stored alerts a run evaluates', () => {
  const other = finding('INSTANCE_HEALTHY', {
    cluster: 'k8s.example.com',
    resource: 'elb/k8s-api-internal:i-0fedcba9876543210',
    expected: 'healthy',
    actual: 'InService',
    message: 'the replacement is healthy',
  });

  it('an event-driven run leaves alone an alert about a resource it did not look at', () => {
    expect(planCluster([other], [firing])).toEqual([]);
  });

  it('a run that covered the whole check counts a pass for an alert whose resource is gone', () => {
    const items = planCluster([other], [firing], new Set(['instance-health']));
    expect(items).toHaveLength(1);
    expect(items[0]?.observation).toEqual({ drifting: false });
  });

  it('drift seen again is drift, whatever the run covered', () => {
    const items = planCluster([unhealthy], [firing], new Set(['instance-health']));
    expect(items[0]?.observation).toEqual({ drifting: true, finding: unhealthy });
  });
});

describe('one alert per cause', () => {
  const timeout = finding('TLS_TIMEOUT', {
    cluster: 'k8s.example.com',
    resource: 'i-0123456789abcdef0',
    expected: 'a TLS handshake',
    actual: 'timed out',
    message: 'the instance does not answer',
  });
  const pending: AlertRecord = { ...firing, state: 'pending', notifications: 0, failures: 1, version: 1 };

  it('a consequence opens no alert while its root drifts: only the root is decided, listing it', () => {
    const items = planCluster([unhealthy, timeout], []);
    expect(items).toHaveLength(1);
    const observation = items[0]?.observation;
    expect(observation?.drifting && observation.finding.code).toBe('TLS_TIMEOUT');
    expect(observation?.drifting && observation.finding.details?.consequences).toEqual([
      { code: 'INSTANCE_UNHEALTHY', resource: unhealthy.resource, message: unhealthy.message },
    ]);
  });

  it('a pending alert of the consequence waits (it is neither advanced nor resolved)', () => {
    const items = planCluster([unhealthy, timeout], [pending], new Set(['instance-health', 'tls']));
    expect(items.map((i) => i.sortKey)).toEqual(['tls#i-0123456789abcdef0#TLS_TIMEOUT']);
  });

  it('an alert of the consequence that already fires carries on as drift (no resolve while it drifts)', () => {
    const items = planCluster([unhealthy, timeout], [firing]);
    const own = items.find((i) => i.prev === firing);
    expect(own?.observation).toEqual({ drifting: true, finding: unhealthy });
  });

  it('once the root passes, the consequence that still drifts is its own alert', () => {
    const reachable = { ...timeout, code: 'TLS_OK', severity: 'ok' as const, message: 'ok' };
    const items = planCluster([unhealthy, reachable], []);
    expect(items).toHaveLength(1);
    expect(items[0]?.observation).toEqual({ drifting: true, finding: unhealthy });
  });
});
