import type { AlertsConfig } from '../config/schema.ts';
import { codeInfo } from '../findings/codes.ts';
import { alertKey, type CheckKind, type Finding, type Severity } from '../findings/finding.ts';

/**
 * The alert state machine, with no I/O: given the stored record (or none), what this run saw,
 * the time and the alert settings, it returns the next record and the notification to send.
 *
 *   (none|resolved) --drift--> pending --(fireAfterFailures failing runs of one kind)--> firing [fire]
 *   (none|resolved) --one-time drift (code fireAt: 'once')--> firing                  [fire]
 *   firing --drift, reminderHours since the last notification--> firing             [remind]
 *   firing --pass x resolveAfterPasses in a row--> resolved                           [resolve]
 *   firing --drift during the pass streak--> firing, streak reset                     (no message)
 *   pending --pass--> resolved                                                        (no message: it never fired)
 *
 * `fireAfterFailures` counts consecutive checks of the same resource by runs of the same kind
 * (registrar, verifier): each kind has its own streak on the record, and the alert fires when one
 * streak reaches it. The registrar and the verifier seeing the same drift on the same tick are one
 * sighting of each kind, not two; two verifier runs in a row are two. A pass resets every streak.
 *
 * Never losing a notification: a notification is first written into the record as an *outbox*
 * entry (kind, claim id, lease). The writer that wins the conditional write publishes it and then
 * confirms delivery (`confirmDelivery`), which clears the outbox and stamps `lastNotified`. While the
 * lease runs, nobody else sends (two functions seeing the same drift send one alert). When the lease
 * has run out (the publisher crashed or SNS failed and the claim was released), the next run that
 * evaluates the alert sends it again.
 */
export type AlertState = 'pending' | 'firing' | 'resolved';
export type NotificationKind = 'fire' | 'remind' | 'resolve';
export type Notify = NotificationKind | 'none';

/** A notification decided but not yet confirmed as published. */
export interface Outbox {
  kind: NotificationKind;
  /** Unique per claim; delivery is confirmed against it. */
  id: string;
  /** When it was claimed (ISO 8601). */
  at: string;
  /** Epoch milliseconds until which the claimant is sending it; 0 = released (send on the next run). */
  leaseUntil: number;
}

export interface AlertRecord {
  /** `cluster|code|resource` (see `alertKey`): also the Chatbot thread id. */
  key: string;
  cluster: string;
  check: CheckKind;
  resource: string;
  code: string;
  severity: Severity;
  state: AlertState;
  /** Consecutive failing runs of any kind (reset by a pass). */
  failures: number;
  /** Consecutive failing runs per kind of run (`registrar`, `verifier`); reset by a pass. */
  failuresBy?: Record<string, number>;
  /** Consecutive passing runs while firing (reset by a failure). */
  passes: number;
  /** Start of the current episode (first failing run). */
  firstSeen: string;
  /** Last failing run. */
  lastSeen: string;
  /** Last run that evaluated this alert and changed the record. */
  lastEvaluated: string;
  firedAt?: string;
  resolvedAt?: string;
  /** When the last notification was confirmed published, and which. */
  lastNotified?: string;
  lastNotification?: NotificationKind;
  /** Notifications confirmed published in the current episode. */
  notifications: number;
  /** The last drifting finding. */
  finding: Finding;
  outbox?: Outbox;
  /** Optimistic-concurrency version; 0 = not stored yet. */
  version: number;
  /** Epoch seconds after which DynamoDB may delete the record. */
  ttl?: number;
}

export type PolicyConfig = Pick<AlertsConfig, 'reminderHours' | 'resolveAfterPasses' | 'fireAfterFailures'>;

export interface PolicyOptions {
  /** Id for a new outbox claim (publish.ts passes a random UUID). Default: derived from the time. */
  claimId?: string;
  /** How long a claimant may take to publish before others may send instead. Default 2 minutes. */
  leaseMs?: number;
  /** Records are kept this many days after their last write (refreshed on every write). Default 30. */
  ttlDays?: number;
}

/** What one run saw. `source` is the kind of run (default `run`): streaks are counted per kind. */
export type Observation = { drifting: true; finding: Finding; source?: string } | { drifting: false };

/** Whether a code is a one-time finding whose alert fires at once (see CodeInfo.fireAt). */
export function firesAtOnce(code: string): boolean {
  return codeInfo(code)?.fireAt === 'once';
}

export interface Decision {
  /** The record to store (undefined: none exists and none is needed). */
  record: AlertRecord | undefined;
  notify: Notify;
  /** False when nothing needs writing. */
  changed: boolean;
  /** Why, in a few words (for logs and tests). */
  reason: string;
}

export const DEFAULT_LEASE_MS = 120_000;
export const DEFAULT_TTL_DAYS = 30;

const HOUR_MS = 3_600_000;

function ttlFrom(nowMs: number, days: number): number {
  return Math.floor(nowMs / 1000) + Math.round(days * 86_400);
}

function latest(...isoTimes: Array<string | undefined>): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const t of isoTimes) {
    if (t === undefined) continue;
    const ms = Date.parse(t);
    if (Number.isFinite(ms) && ms > best) best = ms;
  }
  return best;
}

function newEpisode(finding: Finding, nowIso: string, version: number): AlertRecord {
  return {
    key: alertKey(finding),
    cluster: finding.cluster,
    check: finding.check,
    resource: finding.resource,
    code: finding.code,
    severity: finding.severity,
    state: 'pending',
    failures: 0,
    failuresBy: {},
    passes: 0,
    firstSeen: nowIso,
    lastSeen: nowIso,
    lastEvaluated: nowIso,
    notifications: 0,
    finding,
    version,
  };
}

/** Decides the next record and notification. Pure: same input, same output. */
export function decide(
  prev: AlertRecord | undefined,
  observation: Observation,
  now: Date,
  config: PolicyConfig,
  options: PolicyOptions = {},
): Decision {
  const nowMs = now.getTime();
  const nowIso = now.toISOString();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const ttlDays = options.ttlDays ?? DEFAULT_TTL_DAYS;
  const claimId = options.claimId ?? `claim-${nowIso}`;

  // Step 1: the state transition and the notification it calls for.
  let next: AlertRecord;
  let candidate: Notify = 'none';
  let reason: string;

  if (!prev) {
    if (!observation.drifting)
      return { record: undefined, notify: 'none', changed: false, reason: 'pass, no alert' };
    next = newEpisode(observation.finding, nowIso, 0);
  } else {
    next = { ...prev };
  }

  if (observation.drifting) {
    if (next.state === 'resolved') {
      // A new episode. An undelivered resolve of the previous one would now be wrong: drop it.
      next = newEpisode(observation.finding, nowIso, prev?.version ?? 0);
    }
    const kind = observation.source ?? 'run';
    const streak = (next.failuresBy?.[kind] ?? 0) + 1;
    next.failuresBy = { ...next.failuresBy, [kind]: streak };
    next.failures += 1;
    next.passes = 0;
    next.lastSeen = nowIso;
    next.lastEvaluated = nowIso;
    next.finding = observation.finding;
    next.severity = observation.finding.severity;
    if (next.state === 'pending') {
      const once = firesAtOnce(observation.finding.code);
      if (once || streak >= config.fireAfterFailures) {
        next.state = 'firing';
        next.firedAt = nowIso;
        candidate = 'fire';
        reason = once
          ? 'one-time finding: fire at once'
          : `drift seen by ${streak} ${kind} run(s) in a row: fire`;
      } else {
        reason = `drift seen by ${streak} of ${config.fireAfterFailures} ${kind} run(s) in a row: pending`;
      }
    } else {
      const since = latest(next.lastNotified, next.outbox?.at, next.firedAt, next.firstSeen);
      if (nowMs - since >= config.reminderHours * HOUR_MS) {
        candidate = 'remind';
        reason = `drift persists ${config.reminderHours} h after the last notification: remind`;
      } else {
        reason =
          prev && prev.passes > 0 ? 'drift again during the pass streak: streak reset' : 'drift persists';
      }
    }
  } else {
    // A pass: the check on this resource ran and this code is not drifting.
    if (next.state === 'resolved') {
      reason = 'pass, already resolved';
    } else if (next.state === 'pending') {
      next.state = 'resolved';
      next.resolvedAt = nowIso;
      next.failures = 0;
      next.failuresBy = {};
      next.passes = 0;
      next.lastEvaluated = nowIso;
      reason = 'pass before firing: resolved silently';
    } else {
      next.passes += 1;
      next.failures = 0;
      next.failuresBy = {};
      next.lastEvaluated = nowIso;
      if (next.passes >= config.resolveAfterPasses) {
        next.state = 'resolved';
        next.resolvedAt = nowIso;
        candidate = 'resolve';
        reason = `pass ${next.passes} of ${config.resolveAfterPasses}: resolve`;
      } else {
        reason = `pass ${next.passes} of ${config.resolveAfterPasses}: still firing`;
      }
    }
  }

  // Step 2: combine with a notification already owed (the outbox).
  const owed = next.outbox;
  const leaseActive = owed !== undefined && nowMs < owed.leaseUntil;
  const somethingDelivered = next.notifications > 0 || (leaseActive && owed?.kind !== 'resolve');

  if (candidate === 'resolve' && !somethingDelivered) {
    // The fire never got out: a resolve for it would be noise.
    candidate = 'none';
    next.outbox = undefined;
    reason = 'resolved before the fire was delivered: no message';
  }
  if (candidate === 'remind' && next.notifications === 0) candidate = 'fire';

  let notify: Notify = 'none';
  if (candidate !== 'none') {
    next.outbox = { kind: candidate, id: claimId, at: nowIso, leaseUntil: nowMs + leaseMs };
    notify = candidate;
  } else if (owed && !leaseActive && next.outbox) {
    const stillApplies = owed.kind === 'resolve' ? next.state === 'resolved' : next.state === 'firing';
    if (stillApplies) {
      const kind: NotificationKind = owed.kind === 'remind' && next.notifications === 0 ? 'fire' : owed.kind;
      next.outbox = { kind, id: claimId, at: nowIso, leaseUntil: nowMs + leaseMs };
      notify = kind;
      reason = `${reason}; owed ${owed.kind} not confirmed: send again`;
    } else {
      next.outbox = undefined;
      reason = `${reason}; owed ${owed.kind} no longer applies: dropped`;
    }
  }

  const changed = !(
    prev &&
    prev.state === 'resolved' &&
    !observation.drifting &&
    notify === 'none' &&
    next.outbox === owed
  );
  if (!changed) return { record: prev, notify: 'none', changed: false, reason };

  next.ttl = ttlFrom(nowMs, ttlDays);
  return { record: next, notify, changed: true, reason };
}

/** The record after the claimed notification was published (mirrors AlertStore.confirm). */
export function confirmDelivery(record: AlertRecord, outboxId: string): AlertRecord {
  if (!record.outbox || record.outbox.id !== outboxId) return record;
  const { outbox, ...rest } = record;
  return {
    ...rest,
    lastNotified: outbox.at,
    lastNotification: outbox.kind,
    notifications: record.notifications + 1,
    version: record.version + 1,
  };
}

/** The record after publishing failed: the claim is released so the next run sends it (mirrors AlertStore.release). */
export function releaseClaim(record: AlertRecord, outboxId: string): AlertRecord {
  if (!record.outbox || record.outbox.id !== outboxId) return record;
  return { ...record, outbox: { ...record.outbox, leaseUntil: 0 }, version: record.version + 1 };
}
