import { type Finding, isDrift, SEVERITY_RANK, type Verdict } from '../findings/finding.ts';
import { groupByCause } from './causes.ts';
import type { AlertRecord, Observation } from './policy.ts';
import { alertSortKey } from './state.ts';

/** One alert decision a run has to make. */
export interface WorkItem {
  sortKey: string;
  prev: AlertRecord | undefined;
  observation: Observation;
  /** A passing finding of the same check and resource, shown in resolve messages. */
  resolution?: Finding;
}

const scopeOf = (f: { check: string; resource: string }): string => `${f.check}#${f.resource}`;

/** Groups verdicts by cluster (a run may, in principle, report a cluster twice). */
export function byCluster(
  verdicts: readonly Verdict[],
): Map<string, { findings: Finding[]; complete: Set<string> }> {
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
