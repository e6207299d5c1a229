import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../aws/clients.ts';
import { clusterPlaces } from '../config/select.ts';
import type { Verdict } from '../findings/finding.ts';
import { type Log, silentLog } from '../log.ts';
import { deliver } from './deliver.ts';
import { EventPublishError, putSentinelEvents } from './events.ts';
import type { RunSource } from './messages.ts';
import { type AlertRecord, DEFAULT_LEASE_MS, type PolicyConfig } from './policy.ts';
import type { PublishRunResult, RunContext } from './run-context.ts';
import { clusterEvents } from './run-events.ts';
import { settle, workKey } from './settle.ts';
import { AlertStore, alertSortKey } from './state.ts';
import { byCluster, planCluster } from './work.ts';

export type { PublishRunResult, SentNotification } from './run-context.ts';
export { planCluster } from './work.ts';

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
  /** The configured clusters: each message names its cluster's account and region. */
  clusters?: readonly { name: string; account: string; region: string }[];
  /**
   * Whether the run's own events (Registration Changed, Verification Completed) are put too
   * (default true). The fleet's hub puts only the alerts' events: the member put the run's.
   */
  runEvents?: boolean;
  logger?: Log;
  /** Claim ids (default: random UUIDs). */
  newId?: () => string;
  /** How long a claimant has to publish before another run may (default 2 minutes). */
  leaseMs?: number;
  /** Conditional-write attempts per alert before giving up (default 5). */
  maxWriteAttempts?: number;
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

function contextOf(input: PublishRunInput, deps: PublishDeps): RunContext {
  return {
    source: input.source,
    now: input.now ?? new Date(),
    store: new AlertStore(deps.clients.dynamodb, deps.tableName),
    clients: deps.clients,
    topicArn: deps.topicArn,
    config: deps.config,
    ...(deps.eventBusName ? { eventBusName: deps.eventBusName } : {}),
    ...(deps.runbookBaseUrl ? { runbookBaseUrl: deps.runbookBaseUrl } : {}),
    places: clusterPlaces(deps.clusters ?? []),
    log: deps.logger ?? silentLog,
    newId: deps.newId ?? randomUUID,
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    maxAttempts: Math.max(1, deps.maxWriteAttempts ?? 5),
    result: { evaluated: 0, written: 0, conflicts: 0, notifications: [], events: 0, openAlerts: {} },
    errors: [],
    events: [],
  };
}

/**
 * Turns one run's verdicts into alert state, SNS notifications and the sentinel's own events.
 *
 * Per cluster: one Query loads its alerts; each drifting finding and each stored alert whose
 * (check, resource) this run evaluated is decided by the policy and written conditionally
 * (settle.ts); only the writer that claimed a notification publishes it (deliver.ts). Failures do
 * not stop the rest of the run: they are thrown together at the end.
 */
export async function publishRun(input: PublishRunInput, deps: PublishDeps): Promise<PublishRunResult> {
  const ctx = contextOf(input, deps);
  for (const [cluster, { findings, complete }] of byCluster(input.verdicts)) {
    if (deps.runEvents !== false) ctx.events.push(...clusterEvents(cluster, findings, ctx.source, ctx.now));
    if (findings.length === 0) continue;
    const stored = await loadAlerts(cluster, ctx);
    if (!stored) continue;
    const firing = new Map(stored.map((r) => [alertSortKey(r), r.state === 'firing']));
    for (const item of planCluster(findings, stored, complete)) {
      ctx.result.evaluated += 1;
      let settled: Awaited<ReturnType<typeof settle>>;
      try {
        settled = await settle(item, cluster, ctx);
      } catch (err) {
        const key = workKey(item, cluster);
        ctx.log.error('Alert state write failed', { alertKey: key, error: err });
        ctx.errors.push(new Error(`Alert ${key}: ${(err as Error).message}`));
        continue;
      }
      if (settled) firing.set(item.sortKey, settled.record.state === 'firing');
      const sent = settled ? await deliver(settled, item, ctx) : undefined;
      if (sent) ctx.result.notifications.push(sent);
    }
    ctx.result.openAlerts[cluster] = [...firing.values()].filter(Boolean).length;
  }
  await putRunEvents(ctx);
  if (ctx.errors.length > 0) throw new PublishRunError(ctx.errors, ctx.result);
  return ctx.result;
}

/** A cluster's stored alerts; undefined (and a recorded failure) when they cannot be read. */
async function loadAlerts(cluster: string, ctx: RunContext): Promise<AlertRecord[] | undefined> {
  try {
    return await ctx.store.loadCluster(cluster);
  } catch (err) {
    ctx.log.error('Loading alert state failed', { cluster, error: err });
    ctx.errors.push(new Error(`Loading the alerts of ${cluster} failed: ${(err as Error).message}`));
    return undefined;
  }
}

/** Puts the run's own events on the bus, in batches; a failure is recorded, not thrown. */
async function putRunEvents(ctx: RunContext): Promise<void> {
  if (ctx.events.length === 0) return;
  try {
    const put = await putSentinelEvents(ctx.clients.eventbridge, ctx.events, {
      ...(ctx.eventBusName ? { eventBusName: ctx.eventBusName } : {}),
      now: ctx.now,
    });
    ctx.result.events = put.put;
  } catch (err) {
    if (err instanceof EventPublishError) ctx.result.events = ctx.events.length - err.failures.length;
    ctx.log.error('Putting sentinel events failed', { error: err });
    ctx.errors.push(err);
  }
}
