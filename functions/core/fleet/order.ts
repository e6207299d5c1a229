/**
 * The order the hub applies reports in. Per cluster and source (registrar, verifier) the hub keeps
 * a mark of the latest report it applied: its time and its event id. A report is applied only
 * when it is newer than the mark; anything else is a duplicate (the same event again: EventBridge
 * delivers at least once, Lambda retries a failed one) or stale (an older report that arrived
 * late). Pure: the DynamoDB claim that enforces it is claim.ts.
 */

/** Where a report stands in its cluster's and source's order: the time it counts at, and its event id. */
export interface ReportMark {
  /** Epoch milliseconds: the report's time, never later than the hub's clock. */
  at: number;
  /** EventBridge's event id ('' when the event carried none). */
  id: string;
}

export type OrderDecision = 'apply' | 'duplicate' | 'stale';

/**
 * A report's time as the hub uses it: the member's `detail.time`, clamped to the hub's clock
 * (a member whose clock runs ahead cannot put its report, or its alerts, in the hub's future).
 */
export function reportTime(detailTime: string, hubNow: Date): Date {
  const at = Date.parse(detailTime);
  const now = hubNow.getTime();
  return new Date(Number.isFinite(at) && at < now ? at : now);
}

/**
 * Whether a report comes after the last applied one. The same event id is a duplicate whatever
 * its time; otherwise a later time applies, and of two reports of the same time the greater event
 * id (an arbitrary but fixed order, so every delivery decides alike).
 */
export function orderOf(applied: ReportMark | undefined, report: ReportMark): OrderDecision {
  if (!applied) return 'apply';
  if (applied.id === report.id) return 'duplicate';
  if (applied.at < report.at) return 'apply';
  if (applied.at === report.at && applied.id < report.id) return 'apply';
  return 'stale';
}
