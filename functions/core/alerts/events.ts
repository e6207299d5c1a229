import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { Action, CheckKind, Finding, Severity } from '../findings/finding.ts';
import type { NotificationKind } from './policy.ts';

/**
 * The sentinel's own events, on the default event bus unless configured otherwise, so users can
 * hang more automation on them. Match with `{"source": ["kops-api-sentinel"]}` and a detail-type.
 */
export const EVENT_SOURCE = 'kops-api-sentinel';

export const DETAIL_TYPES = {
  registrationChanged: 'Registration Changed',
  driftDetected: 'Drift Detected',
  driftResolved: 'Drift Resolved',
  verificationCompleted: 'Verification Completed',
  /** A fleet member's run, findings and all, on its way to the hub (docs/fleet.md). */
  findingsReported: 'Findings Reported',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** Fields every detail carries. */
export interface BaseDetail {
  /** Detail schema version; bumped only on incompatible changes. */
  version: '1';
  cluster: string;
  /** The function that produced it. */
  source: 'registrar' | 'verifier';
  /** When the run decided it (ISO 8601). */
  time: string;
}

/** `Registration Changed`: the sentinel repaired an attachment or a registration. One per repair. */
export interface RegistrationChangedDetail extends BaseDetail {
  check: Extract<CheckKind, 'registration' | 'attachment'>;
  code: string;
  /** As in findings: `elb/<name>:<group>`, `targetgroup/<name>/<id>:<instance-id>`, an instance id, ... */
  resource: string;
  expected: string;
  actual: string;
  action: Extract<Action, 'repaired'>;
  message: string;
}

/** `Drift Detected`: an alert fired (once per episode; reminders do not repeat the event). */
export interface DriftDetectedDetail extends BaseDetail {
  alertKey: string;
  code: string;
  check: CheckKind;
  severity: Severity;
  resource: string;
  title: string;
  expected: string;
  actual: string;
  action: Action;
  message: string;
  firstSeen: string;
  notification: Extract<NotificationKind, 'fire'>;
  runbook: string;
}

/** `Drift Resolved`: an alert that fired has passed `resolveAfterPasses` runs in a row. */
export interface DriftResolvedDetail extends BaseDetail {
  alertKey: string;
  code: string;
  check: CheckKind;
  severity: Severity;
  resource: string;
  title: string;
  firstSeen: string;
  resolvedAt: string;
  /** How long it drifted, in seconds. */
  durationSeconds: number;
}

/** `Verification Completed`: once per verifier run per cluster. */
export interface VerificationCompletedDetail extends BaseDetail {
  source: 'verifier';
  inSync: boolean;
  findings: number;
  counts: Record<Severity, number>;
  /** The drifting findings (at most 50 listed; `driftTruncated` says when more existed). */
  drift: Array<{ code: string; check: CheckKind; severity: Severity; resource: string }>;
  driftTruncated: boolean;
}

/**
 * `Findings Reported`: a fleet member's run over one cluster, on its way to the hub (docs/fleet.md),
 * with everything the hub's alert policy reads. At most one EventBridge entry (256 KB): a report
 * cut to fit says `truncated`, lists no passing findings and no complete checks, so the hub never
 * resolves an alert from what was cut (core/fleet/report.ts).
 */
export interface FindingsReportedDetail extends BaseDetail {
  /** A full verifier run: the hub counts it as the cluster's verification (its staleness alarm). */
  verification: boolean;
  /** Checks the run evaluated for every resource of the cluster (a Verdict's `complete`). */
  complete: CheckKind[];
  /** Cut to fit one event: details, then long texts, then passing findings left out. */
  truncated: boolean;
  findings: Finding[];
}

export type SentinelEvent =
  | { detailType: typeof DETAIL_TYPES.registrationChanged; detail: RegistrationChangedDetail }
  | { detailType: typeof DETAIL_TYPES.driftDetected; detail: DriftDetectedDetail }
  | { detailType: typeof DETAIL_TYPES.driftResolved; detail: DriftResolvedDetail }
  | { detailType: typeof DETAIL_TYPES.verificationCompleted; detail: VerificationCompletedDetail }
  | { detailType: typeof DETAIL_TYPES.findingsReported; detail: FindingsReportedDetail };

export function registrationChangedDetail(
  finding: Finding,
  source: BaseDetail['source'],
  now: Date,
): RegistrationChangedDetail | undefined {
  if (finding.action !== 'repaired') return undefined;
  if (finding.check !== 'registration' && finding.check !== 'attachment') return undefined;
  return {
    version: '1',
    cluster: finding.cluster,
    source,
    time: now.toISOString(),
    check: finding.check,
    code: finding.code,
    resource: finding.resource,
    expected: finding.expected,
    actual: finding.actual,
    action: 'repaired',
    message: finding.message,
  };
}

/** The error PutEvents failures are surfaced as, after every batch was tried. */
export class EventPublishError extends Error {
  constructor(readonly failures: Array<{ detailType: string; errorCode?: string; errorMessage?: string }>) {
    const first = failures[0];
    super(
      `${failures.length} sentinel event(s) were not put on the event bus` +
        (first
          ? ` (first: ${first.detailType}: ${first.errorCode ?? 'error'} ${first.errorMessage ?? ''})`.trimEnd()
          : ''),
    );
    this.name = 'EventPublishError';
  }
}

export const PUT_EVENTS_BATCH = 10;

export interface PutResult {
  put: number;
}

/**
 * Puts the events in batches of at most 10 (the PutEvents limit), checks FailedEntryCount and
 * per-entry errors, and throws EventPublishError naming the failures once every batch was tried.
 */
export async function putSentinelEvents(
  eventbridge: EventBridgeClient,
  events: SentinelEvent[],
  options: { eventBusName?: string; now?: Date } = {},
): Promise<PutResult> {
  const bus = options.eventBusName ?? 'default';
  const failures: EventPublishError['failures'] = [];
  let put = 0;
  for (let i = 0; i < events.length; i += PUT_EVENTS_BATCH) {
    const batch = events.slice(i, i + PUT_EVENTS_BATCH);
    const entries: PutEventsRequestEntry[] = batch.map((e) => ({
      Source: EVENT_SOURCE,
      DetailType: e.detailType,
      Detail: JSON.stringify(e.detail),
      EventBusName: bus,
      Time: options.now ?? new Date(e.detail.time),
    }));
    try {
      const res = await eventbridge.send(new PutEventsCommand({ Entries: entries }));
      const results = res.Entries ?? [];
      let batchFailed = 0;
      batch.forEach((e, j) => {
        const r = results[j];
        if (r?.ErrorCode || (!r?.EventId && results.length === batch.length)) {
          batchFailed += 1;
          failures.push({ detailType: e.detailType, errorCode: r?.ErrorCode, errorMessage: r?.ErrorMessage });
        }
      });
      // FailedEntryCount is authoritative when entries do not say which failed.
      const reported = res.FailedEntryCount ?? 0;
      for (let k = batchFailed; k < reported; k++) {
        failures.push({ detailType: batch[0]?.detailType ?? 'unknown', errorCode: 'FailedEntry' });
      }
      put += batch.length - Math.max(batchFailed, reported);
    } catch (err) {
      for (const e of batch) {
        failures.push({
          detailType: e.detailType,
          errorCode: (err as Error).name,
          errorMessage: (err as Error).message,
        });
      }
    }
  }
  if (failures.length > 0) throw new EventPublishError(failures);
  return { put };
}
