import type { Action, Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import type { Plan, Proposal } from './steps.ts';

/** What became of a step: applied, failed (with the error), or not applied (dry run, verifier). */
export type Outcome = { ok: true } | { ok: false; error: string };

/** The second half of a drift message: what was done about it. */
export function actionText(action: Action, done: string, error?: string): string {
  if (action === 'repaired') return done;
  if (action === 'none') return 'left for the registrar to repair';
  if (action === 'would-repair')
    return `report-only: would have ${done.replace(/^(\w+)/, (w) => w.toLowerCase())}`;
  return `repair failed (${error ?? 'unknown error'})`;
}

/** A proposal as a finding, given the action taken on it. */
export function presentAs(cluster: string, p: Proposal, action: Action, error?: string): Finding {
  const message = p.repair ? `${p.message}: ${actionText(action, p.repair.done, error)}` : p.message;
  return finding(p.code, {
    cluster,
    resource: p.resource,
    expected: p.expected,
    actual: p.actual,
    message,
    action,
    ...(p.details ? { details: p.details } : {}),
  });
}

/**
 * The findings of a plan that is not applied: `would-repair` for a dry run or report-only mode,
 * `none` for the verifier (the registrar repairs).
 */
export function unapplied(cluster: string, plan: Plan, action: 'would-repair' | 'none'): Finding[] {
  return plan.proposals.map((p) => presentAs(cluster, p, p.repair ? action : (p.action ?? 'none')));
}
