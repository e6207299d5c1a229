import { codeInfo } from '../findings/codes.ts';
import { type Finding, isDrift, type Severity } from '../findings/finding.ts';
import { DETAIL_TYPES, registrationChangedDetail, type SentinelEvent } from './events.ts';
import { runbookLink } from './fixes.ts';
import type { RunSource } from './messages.ts';
import type { AlertRecord, NotificationKind } from './policy.ts';

/** The most drifting findings a `Verification Completed` event lists. */
const DRIFT_LISTED = 50;

function countsOf(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { ok: 0, info: 0, warning: 0, critical: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

/** What a run says about one cluster whatever its alerts do: repairs, and the verifier's verdict. */
export function clusterEvents(
  cluster: string,
  findings: Finding[],
  source: RunSource,
  now: Date,
): SentinelEvent[] {
  const events: SentinelEvent[] = [];
  for (const f of findings) {
    const detail = registrationChangedDetail(f, source, now);
    if (detail) events.push({ detailType: DETAIL_TYPES.registrationChanged, detail });
  }
  if (source !== 'verifier') return events;
  const drift = findings.filter(isDrift);
  events.push({
    detailType: DETAIL_TYPES.verificationCompleted,
    detail: {
      version: '1',
      cluster,
      source: 'verifier',
      time: now.toISOString(),
      inSync: drift.length === 0,
      findings: findings.length,
      counts: countsOf(findings),
      drift: drift
        .slice(0, DRIFT_LISTED)
        .map((f) => ({ code: f.code, check: f.check, severity: f.severity, resource: f.resource })),
      driftTruncated: drift.length > DRIFT_LISTED,
    },
  });
  return events;
}

/** What both drift events say about their alert. */
function eventBase(record: AlertRecord, source: RunSource, now: Date) {
  return {
    version: '1' as const,
    cluster: record.cluster,
    source,
    time: now.toISOString(),
    alertKey: record.key,
    code: record.code,
    check: record.check,
    severity: record.severity,
    resource: record.resource,
    title: codeInfo(record.code)?.title ?? record.code,
  };
}

/** The event of a published notification: `Drift Detected` for a fire, `Drift Resolved` for a resolve. */
export function notificationEvent(
  record: AlertRecord,
  notify: NotificationKind,
  ctx: { source: RunSource; now: Date; runbookBaseUrl?: string },
): SentinelEvent | undefined {
  const { source, now } = ctx;
  if (notify === 'fire') {
    return {
      detailType: DETAIL_TYPES.driftDetected,
      detail: {
        ...eventBase(record, source, now),
        expected: record.finding.expected,
        actual: record.finding.actual,
        action: record.finding.action,
        message: record.finding.message,
        firstSeen: record.firstSeen,
        notification: 'fire',
        runbook: runbookLink(record.code, ctx.runbookBaseUrl),
      },
    };
  }
  if (notify !== 'resolve') return undefined;
  const resolvedAt = record.resolvedAt ?? now.toISOString();
  return {
    detailType: DETAIL_TYPES.driftResolved,
    detail: {
      ...eventBase(record, source, now),
      firstSeen: record.firstSeen,
      resolvedAt,
      durationSeconds: Math.max(
        0,
        Math.round((Date.parse(resolvedAt) - Date.parse(record.firstSeen)) / 1000),
      ),
    },
  };
}
