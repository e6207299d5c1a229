import { total } from './calls.ts';
import { failWith, type Row } from './table.ts';

/**
 * The bench says why a call count changed. Every row that lists AWS calls is compared with its
 * count on main before issue 10 (3de9022, bench/latest.json of that commit); a different count
 * needs a reason in WHY, which the row then carries as a note. A change without one fails the row.
 */
export const BEFORE_COMMIT = '3de9022';

const key = (area: string, measure: string) => `${area} | ${measure}`;

/** `area | measure` → total AWS calls before issue 10. */
export const BEFORE: Readonly<Record<string, number>> = {
  [key('registrar', 'calls per launch event, steady (worst of 3)')]: 3,
  [key('registrar', '… same, as deployed (alerting + follow-ups)')]: 7,
  [key('registrar', 'calls per launch event, target deregistered')]: 5,
  [key('registrar', 'calls on the next event after that repair')]: 3,
  [key('registrar', 'calls per launch event, LB + TG detached')]: 7,
  [key('event-path', '… AWS calls from the launch event to the alert published')]: 18,
  [key('reconcile (CLI)', '1 cluster (3 groups, 3 instances)')]: 3,
  [key('reconcile (CLI)', '10 clusters (3 groups, 3 instances each)')]: 21,
  [key('verifier', 'calls per cluster, 1 cluster')]: 9,
  [key('alerts', 'AWS calls of a repeated drifting run')]: 3,
};

/**
 * `area | measure` → why its count differs from BEFORE. Whoever changes a count writes the reason
 * here (one line: what is read or written more or less, and why that is right).
 */
export const WHY: Readonly<Record<string, string>> = {};

/** The rows with a note on every changed call count: the reason, or a failure asking for one. */
export function explainCallChanges(
  rows: readonly Row[],
  before: Readonly<Record<string, number>> = BEFORE,
  why: Readonly<Record<string, string>> = WHY,
): Row[] {
  return rows.map((row) => {
    const k = key(row.area, row.measure);
    const was = before[k];
    if (!row.calls || was === undefined) return row;
    const now = total(row.calls);
    if (now === was) return row;
    const reason = why[k];
    const changed = `${was} → ${now} AWS calls since ${BEFORE_COMMIT}`;
    if (!reason) return failWith(row, `${changed}, and no reason given in bench/call-changes.ts (WHY)`);
    return { ...row, note: row.note ? `${row.note}; ${changed}: ${reason}` : `${changed}: ${reason}` };
  });
}
