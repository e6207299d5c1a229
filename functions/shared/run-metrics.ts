import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunSource } from '../core/alerts/messages.ts';
import type { NotificationKind } from '../core/alerts/policy.ts';
import { type Finding, isDrift, type Verdict } from '../core/findings/finding.ts';
import { DIMENSION, METRIC, type MetricName } from './metric-names.ts';
import { metrics } from './powertools.ts';

/** One value of one metric, with the dimensions it is emitted under (besides `service`). */
export interface MetricRecord {
  name: MetricName;
  unit: typeof MetricUnit.Count | typeof MetricUnit.Milliseconds;
  value: number;
  dimensions: Readonly<Record<string, string>>;
}

/** What a run did, as far as its metrics tell. */
export interface RunFacts {
  source: RunSource;
  verdicts: readonly Verdict[];
  /** A full verifier run (schedule, request, CloudTrail): each cluster verdict is one verification. */
  verification?: boolean;
  /** What alerting did with the run, when it ran. */
  alerts?: {
    notifications: readonly { kind: NotificationKind; cluster: string }[];
    openAlerts: Readonly<Record<string, number>>;
  };
}

const count = (name: MetricName, value: number, dimensions: Record<string, string>): MetricRecord => ({
  name,
  unit: MetricUnit.Count,
  value,
  dimensions,
});

/** The duration of a TLS probe that completed its handshake (tls findings carry it in details). */
function handshakeMs(f: Finding): number | undefined {
  if (f.check !== 'tls' || !f.details) return undefined;
  const { durationMs, tlsVersion } = f.details;
  return typeof durationMs === 'number' && Number.isFinite(durationMs) && typeof tlsVersion === 'string'
    ? durationMs
    : undefined;
}

function clusterRecords(cluster: string, findings: readonly Finding[], run: RunFacts): MetricRecord[] {
  const dims = { [DIMENSION.cluster]: cluster };
  const drift = findings.filter(isDrift);
  const out = [count(METRIC.driftFound, drift.length, dims)];
  const byCode = new Map<string, number>();
  for (const f of drift) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  for (const [code, n] of byCode) out.push(count(METRIC.driftFound, n, { ...dims, [DIMENSION.code]: code }));
  if (run.source === 'registrar') {
    out.push(count(METRIC.repairs, findings.filter((f) => f.action === 'repaired').length, dims));
    out.push(count(METRIC.repairFailures, findings.filter((f) => f.action === 'repair-failed').length, dims));
  }
  for (const f of findings) {
    const ms = handshakeMs(f);
    if (ms !== undefined)
      out.push({ name: METRIC.handshakeLatency, unit: MetricUnit.Milliseconds, value: ms, dimensions: dims });
  }
  return out;
}

function alertRecords(cluster: string, alerts: NonNullable<RunFacts['alerts']>): MetricRecord[] {
  const dims = { [DIMENSION.cluster]: cluster };
  const sent = alerts.notifications.filter((n) => n.cluster === cluster);
  const out = [
    count(METRIC.alertsFired, sent.filter((n) => n.kind === 'fire').length, dims),
    count(METRIC.alertsResolved, sent.filter((n) => n.kind === 'resolve').length, dims),
  ];
  const open = alerts.openAlerts[cluster];
  if (open !== undefined) out.push(count(METRIC.openAlerts, open, dims));
  return out;
}

/**
 * A run's metrics, per cluster (a pure mapping; tests read it directly): drift found (in total and
 * by finding code), repairs and repair failures (registrar), one verification per cluster of a
 * full verifier run, handshake latency of every completed TLS probe, and, when alerting ran, the
 * alerts it fired and resolved and how many fire now.
 */
export function runMetrics(run: RunFacts): MetricRecord[] {
  const findings = new Map<string, Finding[]>();
  for (const v of run.verdicts) findings.set(v.cluster, [...(findings.get(v.cluster) ?? []), ...v.findings]);
  const out: MetricRecord[] = [];
  for (const [cluster, fs] of findings) {
    out.push(...clusterRecords(cluster, fs, run));
    if (run.verification) out.push(count(METRIC.verifications, 1, { [DIMENSION.cluster]: cluster }));
  }
  const alerted = new Set([
    ...findings.keys(),
    ...(run.alerts?.notifications.map((n) => n.cluster) ?? []),
    ...Object.keys(run.alerts?.openAlerts ?? {}),
  ]);
  if (run.alerts) for (const cluster of alerted) out.push(...alertRecords(cluster, run.alerts));
  return out;
}

/**
 * At most this many values per EMF line: Powertools publishes on its own when a metric reaches 100
 * values (or 100 metrics are stored), and that flush clears the dimensions, so the values after it
 * would lose their cluster.
 */
export const MAX_VALUES_PER_LINE = 90;

/**
 * Writes metric records as EMF lines, one line per set of dimensions (and per 90 values): Powertools
 * Metrics keeps one set of dimensions per flush, so each set is added, its metrics stored, and the
 * lot published (which clears the dimensions again; the `service` default dimension stays on every
 * line).
 */
export function writeMetrics(records: readonly MetricRecord[], m: Metrics = metrics): void {
  const groups = new Map<string, MetricRecord[]>();
  for (const r of records) {
    const key = JSON.stringify(Object.entries(r.dimensions).sort());
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += MAX_VALUES_PER_LINE) {
      const chunk = group.slice(i, i + MAX_VALUES_PER_LINE);
      const [first] = chunk;
      if (!first) continue;
      for (const [name, value] of Object.entries(first.dimensions)) m.addDimension(name, value);
      for (const r of chunk) m.addMetric(r.name, r.unit, r.value);
      m.publishStoredMetrics();
    }
  }
}

/** A run's metrics, written: the one line a handler (or the report step) calls. */
export function recordRunMetrics(run: RunFacts, m: Metrics = metrics): void {
  writeMetrics(runMetrics(run), m);
}

/** One report the hub dropped (forged or malformed): counted under the service alone. */
export function droppedReportMetrics(): MetricRecord[] {
  return [count(METRIC.reportsDropped, 1, {})];
}

/**
 * The hub's metrics of one report: one `Reports` for a full verifier run's report (the hub's
 * staleness alarm reads it per cluster) and, when alerting ran, the alerts it fired and resolved
 * and how many fire now. The member wrote the run's own metrics (drift, repairs, verifications).
 */
export function hubReportMetrics(
  cluster: string,
  verification: boolean,
  alerts?: NonNullable<RunFacts['alerts']>,
): MetricRecord[] {
  const out: MetricRecord[] = [];
  if (verification) out.push(count(METRIC.reports, 1, { [DIMENSION.cluster]: cluster }));
  if (alerts) out.push(...alertRecords(cluster, alerts));
  return out;
}
