import { randomUUID } from 'node:crypto';
import { PublishCommand } from '@aws-sdk/client-sns';
import type { AwsClients } from '../aws/clients.ts';
import { codeInfo } from '../findings/codes.ts';
import { type Finding, isDrift, type Severity, type Verdict } from '../findings/finding.ts';
import { type Log, silentLog } from '../log.ts';
import { groupByCause } from './causes.ts';
import {
  DETAIL_TYPES,
  EventPublishError,
  putSentinelEvents,
  registrationChangedDetail,
  type SentinelEvent,
} from './events.ts';
import { runbookLink } from './fixes.ts';
import { buildAlert, type RunSource, snsPublishInput } from './messages.ts';
import {
  type AlertRecord,
  DEFAULT_LEASE_MS,
  decide,
  type NotificationKind,
  type Observation,
  type PolicyConfig,
} from './policy.ts';
import { AlertStore, AlertWriteConflict, alertSortKey } from './state.ts';

export interface PublishRunInput {
  source: RunSource;
  verdicts: Verdict[];
  now?: Date;
}

export interface PublishDeps {
  clients: Pick<AwsClients, 'dynamodb' | 'sns' | 'eventbridge'>;
  tableName: string;
  topicArn: string;
  config: PolicyConfig;
  /** Default `default`. */
  eventBusName?: string;
  /** Makes runbook links absolute. */
  runbookBaseUrl?: string;
  logger?: Log;
  /** Claim ids (default: random UUIDs). */
  newId?: () => string;
  /** How long a claimant has to publish before another run may (default 2 minutes). */
  leaseMs?: number;
  /** Conditional-write attempts per alert before giving up (default 5). */
  maxWriteAttempts?: number;
}

export interface SentNotification {
  kind: NotificationKind;
  alertKey: string;
  messageId?: string;
}

export interface PublishRunResult {
  /** Alert decisions made (drifting findings plus stored alerts whose check ran). */
  evaluated: number;
  /** Records written. */
  written: number;
  /** Conditional-write conflicts that were re-read and re-decided. */
  conflicts: number;
  notifications: SentNotification[];
  /** Events put on the bus. */
  events: number;
}

/** Thrown after the whole run was processed when some part of it failed. */
export class PublishRunError extends AggregateError {
  constructor(
    errors: unknown[],
    readonly result: PublishRunResult,
  ) {
    super(
      errors,
      `Publishing the ${result.evaluated} alert decision(s) of the run had ${errors.length} failure(s): ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`,
    );
    this.name = 'PublishRunError';
  }
}

const scopeOf = (f: { check: string; resource: string }): string => `${f.check}#${f.resource}`;

const SEVERITY_RANK: Record<Severity, number> = { ok: 0, info: 1, warning: 2, critical: 3 };

interface WorkItem {
  sortKey: string;
  prev: AlertRecord | undefined;
  observation: Observation;
  /** A passing finding of the same check and resource, shown in resolve messages. */
  resolution?: Finding;
}

/** Groups verdicts by cluster (a run may, in principle, report a cluster twice). */
function byCluster(verdicts: Verdict[]): Map<string, { findings: Finding[]; complete: Set<string> }> {
  const out = new Map<string, { findings: Finding[]; complete: Set<string> }>();
  for (const v of verdicts) {
    const entry = out.get(v.cluster) ?? { findings: [], complete: new Set<string>() };
    entry.findings.push(...v.findings);
    for (const c of v.complete ?? []) entry.complete.add(c);
    out.set(v.cluster, entry);
  }
  return out;
}

/**
 * What this run says about the cluster's alerts: drifting findings, and the stored alerts that passed.
 * Findings that follow from another drifting finding of the run are first folded into that root
 * (causes.ts): they open no alert of their own; an alert of theirs that already fires carries on.
 */
export function planCluster(
  findings: Finding[],
  stored: AlertRecord[],
  complete: ReadonlySet<string> = new Set(),
): WorkItem[] {
  const evaluated = new Set<string>();
  const drifting = new Map<string, Finding>();
  const passing = new Map<string, Finding>();
  const grouped = groupByCause(findings);
  const absorbed = new Map(grouped.consequences.map((c) => [alertSortKey(c.finding), c.finding]));
  for (const f of findings) evaluated.add(scopeOf(f));
  for (const f of grouped.findings) {
    if (isDrift(f)) {
      const sk = alertSortKey(f);
      const seen = drifting.get(sk);
      if (!seen || SEVERITY_RANK[f.severity] > SEVERITY_RANK[seen.severity]) drifting.set(sk, f);
    } else if (!passing.has(scopeOf(f))) {
      passing.set(scopeOf(f), f);
    }
  }
  const storedBySk = new Map(stored.map((r) => [alertSortKey(r), r]));
  const items: WorkItem[] = [];
  for (const [sk, f] of drifting) {
    items.push({ sortKey: sk, prev: storedBySk.get(sk), observation: { drifting: true, finding: f } });
  }
  for (const r of stored) {
    const sk = alertSortKey(r);
    if (drifting.has(sk) || !(evaluated.has(scopeOf(r)) || complete.has(r.check))) continue;
    const consequence = absorbed.get(sk);
    if (consequence) {
      // still drifting, under its root: an alert that already fires carries on, any other waits
      if (r.state === 'firing')
        items.push({ sortKey: sk, prev: r, observation: { drifting: true, finding: consequence } });
      continue;
    }
    if (r.state === 'resolved' && !r.outbox) continue; // nothing can change
    const item: WorkItem = { sortKey: sk, prev: r, observation: { drifting: false } };
    const resolution = passing.get(scopeOf(r));
    if (resolution) item.resolution = resolution;
    items.push(item);
  }
  return items;
}

function countsOf(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { ok: 0, info: 0, warning: 0, critical: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
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

/**
 * Turns one run's verdicts into alert state, SNS notifications and the sentinel's own events.
 *
 * Per cluster: one Query loads its alerts; each drifting finding and each stored alert whose
 * (check, resource) this run evaluated is decided by the policy and written conditionally (on a
 * conflict: re-read, re-decide, bounded). Only the writer that claimed a notification publishes it;
 * if SNS fails, the claim is released (not marked notified), so a retry or the next run sends it.
 * Failures do not stop the rest of the run: they are thrown together at the end.
 */
export async function publishRun(input: PublishRunInput, deps: PublishDeps): Promise<PublishRunResult> {
  const now = input.now ?? new Date();
  const log = deps.logger ?? silentLog;
  const store = new AlertStore(deps.clients.dynamodb, deps.tableName);
  const newId = deps.newId ?? randomUUID;
  const maxAttempts = Math.max(1, deps.maxWriteAttempts ?? 5);
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const result: PublishRunResult = { evaluated: 0, written: 0, conflicts: 0, notifications: [], events: 0 };
  const errors: unknown[] = [];
  const events: SentinelEvent[] = [];

  for (const [cluster, { findings, complete }] of byCluster(input.verdicts)) {
    for (const f of findings) {
      const detail = registrationChangedDetail(f, input.source, now);
      if (detail) events.push({ detailType: DETAIL_TYPES.registrationChanged, detail });
    }
    if (input.source === 'verifier') {
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
            .slice(0, 50)
            .map((f) => ({ code: f.code, check: f.check, severity: f.severity, resource: f.resource })),
          driftTruncated: drift.length > 50,
        },
      });
    }
    if (findings.length === 0) continue;

    let stored: AlertRecord[];
    try {
      stored = await store.loadCluster(cluster);
    } catch (err) {
      log.error('Loading alert state failed', { cluster, error: err });
      errors.push(new Error(`Loading the alerts of ${cluster} failed: ${(err as Error).message}`));
      continue;
    }

    for (const item of planCluster(findings, stored, complete)) {
      result.evaluated += 1;
      let prev = item.prev;
      // streaks are counted per kind of run (policy.ts)
      const observation: Observation = item.observation.drifting
        ? { ...item.observation, source: input.source }
        : item.observation;
      // claims this run made for this alert: one found in the record after a conflict is still ours
      const ourClaims = new Set<string>();
      // undefined: not settled yet; null: nothing to write.
      let settled: { record: AlertRecord; notify: NotificationKind | 'none' } | null | undefined;
      try {
        for (let attempt = 1; attempt <= maxAttempts && settled === undefined; attempt++) {
          const claimId = newId();
          ourClaims.add(claimId);
          const decision = decide(prev, observation, now, deps.config, { claimId, leaseMs });
          if (!decision.changed || !decision.record) {
            settled = null;
            break;
          }
          try {
            const record = await store.put(decision.record, prev?.version ?? 0);
            result.written += 1;
            log.debug('Alert decided', {
              alertKey: record.key,
              state: record.state,
              notify: decision.notify,
              reason: decision.reason,
            });
            settled = { record, notify: decision.notify };
          } catch (err) {
            if (!(err instanceof AlertWriteConflict)) throw err;
            result.conflicts += 1;
            prev = err.current ?? (await store.get(cluster, item.sortKey));
          }
        }
        if (settled === undefined) throw new Error(`gave up after ${maxAttempts} conflicting writes`);
      } catch (err) {
        const key = item.observation.drifting
          ? `${cluster}|${item.observation.finding.code}|${item.observation.finding.resource}`
          : (item.prev?.key ?? item.sortKey);
        log.error('Alert state write failed', { alertKey: key, error: err });
        errors.push(new Error(`Alert ${key}: ${(err as Error).message}`));
        continue;
      }

      if (!settled?.record.outbox) continue;
      const claim = settled.record.outbox;
      // a claim of ours that a conflicting write kept (its lease still runs) is ours to send
      const notify: NotificationKind | 'none' =
        settled.notify !== 'none' ? settled.notify : ourClaims.has(claim.id) ? claim.kind : 'none';
      if (notify === 'none') continue;
      const { record } = settled;
      const alert = buildAlert(record, notify, {
        source: input.source,
        now,
        ...(item.resolution ? { resolution: item.resolution } : {}),
        ...(deps.runbookBaseUrl ? { runbookBaseUrl: deps.runbookBaseUrl } : {}),
      });
      let messageId: string | undefined;
      try {
        const res = await deps.clients.sns.send(new PublishCommand(snsPublishInput(alert, deps.topicArn)));
        messageId = res.MessageId;
      } catch (err) {
        log.error('Publishing the alert failed; it stays owed', {
          alertKey: record.key,
          kind: notify,
          error: err,
        });
        errors.push(new Error(`Publishing ${notify} for ${record.key} failed: ${(err as Error).message}`));
        try {
          await store.release(record, claim.id);
        } catch (releaseErr) {
          log.warn('Releasing the claim failed; it will be sent after the lease runs out', {
            alertKey: record.key,
            error: releaseErr,
          });
        }
        continue;
      }
      result.notifications.push({ kind: notify, alertKey: record.key, ...(messageId ? { messageId } : {}) });
      log.info('Alert notification published', { alertKey: record.key, kind: notify, messageId });
      try {
        const confirmed = await store.confirm(record, claim.id, claim);
        if (!confirmed)
          log.warn('Notification published but its claim was replaced meanwhile', { alertKey: record.key });
      } catch (err) {
        // Published but not confirmed: after the lease runs out it may be sent once more. Not lost.
        log.warn('Confirming the notification failed; a duplicate may follow', {
          alertKey: record.key,
          error: err,
        });
      }

      if (notify === 'fire') {
        events.push({
          detailType: DETAIL_TYPES.driftDetected,
          detail: {
            ...eventBase(record, input.source, now),
            expected: record.finding.expected,
            actual: record.finding.actual,
            action: record.finding.action,
            message: record.finding.message,
            firstSeen: record.firstSeen,
            notification: 'fire',
            runbook: runbookLink(record.code, deps.runbookBaseUrl),
          },
        });
      } else if (notify === 'resolve') {
        const resolvedAt = record.resolvedAt ?? now.toISOString();
        events.push({
          detailType: DETAIL_TYPES.driftResolved,
          detail: {
            ...eventBase(record, input.source, now),
            firstSeen: record.firstSeen,
            resolvedAt,
            durationSeconds: Math.max(
              0,
              Math.round((Date.parse(resolvedAt) - Date.parse(record.firstSeen)) / 1000),
            ),
          },
        });
      }
    }
  }

  if (events.length > 0) {
    try {
      const put = await putSentinelEvents(deps.clients.eventbridge, events, {
        ...(deps.eventBusName ? { eventBusName: deps.eventBusName } : {}),
        now,
      });
      result.events = put.put;
    } catch (err) {
      if (err instanceof EventPublishError) {
        result.events = events.length - err.failures.length;
      }
      log.error('Putting sentinel events failed', { error: err });
      errors.push(err);
    }
  }

  if (errors.length > 0) throw new PublishRunError(errors, result);
  return result;
}
