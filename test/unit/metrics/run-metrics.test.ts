import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { AwsClients } from '../../../functions/core/aws/clients.ts';
import type { SentinelConfig } from '../../../functions/core/config/schema.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { verdictOf } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';
import { type Log, silentLog } from '../../../functions/core/log.ts';
import { METRICS_NAMESPACE } from '../../../functions/shared/metric-names.ts';
import { reportRun } from '../../../functions/shared/report.ts';
import {
  droppedReportMetrics,
  hubReportMetrics,
  type MetricRecord,
  recordRunMetrics,
  runMetrics,
  writeMetrics,
} from '../../../functions/shared/run-metrics.ts';

const A = 'a.k8s.example.com';
const B = 'b.k8s.example.com';

const f = (
  code: Parameters<typeof finding>[0],
  cluster: string,
  resource: string,
  extra: Partial<Finding> = {},
): Finding => ({
  ...finding(code, { cluster, resource, expected: 'e', actual: 'a', message: 'm' }),
  ...extra,
});
const tls = (cluster: string, resource: string, durationMs: number, tlsVersion: string | null) =>
  f('TLS_OK', cluster, resource, { details: { durationMs, tlsVersion } });

/** Records as `name dims=value`, for table-like expectations. */
const lines = (records: MetricRecord[]) =>
  records.map(
    (r) =>
      `${r.name} ${Object.entries(r.dimensions)
        .map(([k, v]) => `${k}:${v}`)
        .join(',')} = ${r.value}${r.unit === 'Milliseconds' ? 'ms' : ''}`,
  );

describe('runMetrics (pure)', () => {
  it('a registrar run: drift in total and by code, repairs and repair failures, per cluster', () => {
    const records = runMetrics({
      source: 'registrar',
      verdicts: [
        verdictOf(A, [
          f('LB_NOT_ATTACHED', A, 'g1', { action: 'repaired' }),
          f('INSTANCE_NOT_REGISTERED', A, 'i-1', { action: 'repair-failed' }),
          f('INSTANCE_NOT_REGISTERED', A, 'i-2', { action: 'repair-failed' }),
        ]),
        verdictOf(B, [f('LB_ATTACHED', B, 'g2')]),
      ],
    });
    expect(lines(records)).toEqual([
      `DriftFound cluster:${A} = 2`,
      `DriftFound cluster:${A},code:INSTANCE_NOT_REGISTERED = 2`,
      `Repairs cluster:${A} = 1`,
      `RepairFailures cluster:${A} = 2`,
      `DriftFound cluster:${B} = 0`,
      `Repairs cluster:${B} = 0`,
      `RepairFailures cluster:${B} = 0`,
    ]);
  });

  it('a full verifier run: one verification per cluster, and the latency of completed handshakes only', () => {
    const records = runMetrics({
      source: 'verifier',
      verification: true,
      verdicts: [
        verdictOf(A, [tls(A, 'i-1', 12.5, 'TLSv1.3'), tls(A, 'i-2', 3000, null)]),
        verdictOf(B, [tls(B, 'i-3', 7, 'TLSv1.2')]),
      ],
    });
    expect(lines(records)).toEqual([
      `DriftFound cluster:${A} = 0`,
      `HandshakeLatency cluster:${A} = 12.5ms`,
      `Verifications cluster:${A} = 1`,
      `DriftFound cluster:${B} = 0`,
      `HandshakeLatency cluster:${B} = 7ms`,
      `Verifications cluster:${B} = 1`,
    ]);
  });

  it('a follow-up round is not a verification', () => {
    const records = runMetrics({
      source: 'verifier',
      verdicts: [verdictOf(A, [tls(A, 'i-1', 5, 'TLSv1.3')])],
    });
    expect(records.some((r) => r.name === 'Verifications')).toBe(false);
  });

  it('alerting: fired and resolved by cluster, and the alerts firing after the run', () => {
    const records = runMetrics({
      source: 'verifier',
      verdicts: [verdictOf(A, [])],
      alerts: {
        notifications: [
          { kind: 'fire', cluster: A },
          { kind: 'remind', cluster: A },
          { kind: 'resolve', cluster: B },
        ],
        openAlerts: { [A]: 3, [B]: 0 },
      },
    });
    expect(lines(records).filter((l) => l.startsWith('Alerts') || l.startsWith('Open'))).toEqual([
      `AlertsFired cluster:${A} = 1`,
      `AlertsResolved cluster:${A} = 0`,
      `OpenAlerts cluster:${A} = 3`,
      `AlertsFired cluster:${B} = 0`,
      `AlertsResolved cluster:${B} = 1`,
      `OpenAlerts cluster:${B} = 0`,
    ]);
  });

  it('no alert metrics when alerting did not run', () => {
    const records = runMetrics({ source: 'registrar', verdicts: [verdictOf(A, [])] });
    expect(records.some((r) => r.name.startsWith('Alerts') || r.name === 'OpenAlerts')).toBe(false);
  });
});

describe('recordRunMetrics: the EMF the Powertools Metrics instance writes', () => {
  let out: string[];
  let write: MockInstance;
  beforeEach(() => {
    out = [];
    write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
  });
  afterEach(() => write.mockRestore());

  const emf = () =>
    out
      .flatMap((chunk) => chunk.split('\n'))
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });

  it('one line per dimension set, each cluster its own dimension, under the namespace and service', () => {
    const m = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'kops-api-sentinel' });
    recordRunMetrics(
      {
        source: 'verifier',
        verification: true,
        verdicts: [
          verdictOf(A, [
            f('TLS_UNTRUSTED_ISSUER', A, 'i-1'),
            tls(A, 'i-2', 10, 'TLSv1.3'),
            tls(A, 'i-3', 20, 'TLSv1.3'),
          ]),
          verdictOf(B, []),
        ],
      },
      m,
    );
    const docs = emf();
    expect(docs).toHaveLength(3);
    const [a, aByCode, b] = docs;
    expect(a?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'KopsApiSentinel',
        Dimensions: [['service', 'cluster']],
        Metrics: [
          { Name: 'DriftFound', Unit: 'Count' },
          { Name: 'HandshakeLatency', Unit: 'Milliseconds' },
          { Name: 'Verifications', Unit: 'Count' },
        ],
      },
    ]);
    expect(a).toMatchObject({
      service: 'kops-api-sentinel',
      cluster: A,
      DriftFound: 1,
      HandshakeLatency: [10, 20],
      Verifications: 1,
    });
    expect(aByCode?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'KopsApiSentinel',
        Dimensions: [['service', 'cluster', 'code']],
        Metrics: [{ Name: 'DriftFound', Unit: 'Count' }],
      },
    ]);
    expect(aByCode).toMatchObject({ cluster: A, code: 'TLS_UNTRUSTED_ISSUER', DriftFound: 1 });
    expect(b).toMatchObject({ service: 'kops-api-sentinel', cluster: B, DriftFound: 0, Verifications: 1 });
    expect(b).not.toHaveProperty('code');
  });

  it('keeps the cluster on every value past Powertools’ 100-value flush', () => {
    const values = Array.from(
      { length: 250 },
      (_, i): MetricRecord => ({
        name: 'HandshakeLatency',
        unit: 'Milliseconds',
        value: i,
        dimensions: { cluster: A },
      }),
    );
    writeMetrics(values, new Metrics({ namespace: METRICS_NAMESPACE }));
    const docs = emf();
    expect(docs.every((d) => d.cluster === A)).toBe(true);
    expect(docs.flatMap((d) => [d.HandshakeLatency].flat())).toHaveLength(250);
  });

  it('writes nothing for a run without clusters', () => {
    recordRunMetrics(
      { source: 'verifier', verification: true, verdicts: [] },
      new Metrics({ namespace: METRICS_NAMESPACE }),
    );
    expect(emf()).toEqual([]);
  });

  it('reportRun writes them through the shared instance, without alerting configured too', async () => {
    const quiet: Log = silentLog;
    // without a table and topic, reportRun reads neither the config nor the clients
    const deps = { config: {} as SentinelConfig, clients: {} as AwsClients, log: quiet, targets: {} };
    await reportRun('verifier', [verdictOf(A, [])], { ...deps, verification: true });
    await reportRun('verifier', [verdictOf(B, [])], deps);
    const docs = emf();
    expect(docs.map((d) => [d.cluster, d.Verifications, d.DriftFound])).toEqual([
      [A, 1, 0],
      [B, undefined, 0],
    ]);
    expect(docs[0]?._aws.CloudWatchMetrics).toMatchObject([
      { Namespace: 'KopsApiSentinel', Dimensions: [['service', 'cluster']] },
    ]);
  });
});

describe("the hub's metrics of one report", () => {
  it('counts one Reports per full verifier run of a cluster, and the alerts it sent', () => {
    const alerts = { notifications: [{ kind: 'fire' as const, cluster: A }], openAlerts: { [A]: 1 } };
    const records = hubReportMetrics(A, true, alerts);
    const value = (name: string) => records.find((r) => r.name === name)?.value;
    expect(records.every((r) => r.dimensions.cluster === A)).toBe(true);
    expect(value('Reports')).toBe(1);
    expect(value('AlertsFired')).toBe(1);
    expect(value('OpenAlerts')).toBe(1);
    // a registrar run or a follow-up round is no verification: no Reports
    expect(hubReportMetrics(A, false, alerts).map((r) => r.name)).not.toContain('Reports');
    expect(hubReportMetrics(A, false)).toEqual([]);
  });

  it("a dropped report counts one ReportsDropped under the service alone (a forged report's cluster is not believed)", () => {
    expect(droppedReportMetrics()).toEqual([
      { name: 'ReportsDropped', unit: 'Count', value: 1, dimensions: {} },
    ]);
  });
});
