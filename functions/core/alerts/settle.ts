import { type AlertRecord, decide, type NotificationKind, type Observation } from './policy.ts';
import type { RunContext } from './run-context.ts';
import { AlertWriteConflict } from './state.ts';
import type { WorkItem } from './work.ts';

/** A decision written to the table: the record as stored, and the notification the write claimed. */
export interface Settled {
  record: AlertRecord;
  notify: NotificationKind | 'none';
  /** Claim ids this run made for the alert: one found in the record after a conflict is still ours. */
  ourClaims: ReadonlySet<string>;
}

/**
 * The state transition of one alert: decide, write conditionally, and on a conflict re-read and
 * decide again (at most `maxAttempts` writes). Null when the decision changes nothing.
 */
export async function settle(item: WorkItem, cluster: string, ctx: RunContext): Promise<Settled | null> {
  let prev = item.prev;
  // streaks are counted per kind of run (policy.ts)
  const observation: Observation = item.observation.drifting
    ? { ...item.observation, source: ctx.source }
    : item.observation;
  const ourClaims = new Set<string>();
  for (let attempt = 1; attempt <= ctx.maxAttempts; attempt++) {
    const claimId = ctx.newId();
    ourClaims.add(claimId);
    const decision = decide(prev, observation, ctx.now, ctx.config, { claimId, leaseMs: ctx.leaseMs });
    if (!decision.changed || !decision.record) return null;
    try {
      const record = await ctx.store.put(decision.record, prev?.version ?? 0);
      ctx.result.written += 1;
      ctx.log.debug('Alert decided', {
        alertKey: record.key,
        state: record.state,
        notify: decision.notify,
        reason: decision.reason,
      });
      return { record, notify: decision.notify, ourClaims };
    } catch (err) {
      if (!(err instanceof AlertWriteConflict)) throw err;
      ctx.result.conflicts += 1;
      prev = err.current ?? (await ctx.store.get(cluster, item.sortKey));
    }
  }
  throw new Error(`gave up after ${ctx.maxAttempts} conflicting writes`);
}

/** The key an alert's failure is reported under. */
export function workKey(item: WorkItem, cluster: string): string {
  return item.observation.drifting
    ? `${cluster}|${item.observation.finding.code}|${item.observation.finding.resource}`
    : (item.prev?.key ?? item.sortKey);
}
