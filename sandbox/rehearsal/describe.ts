import type { RunSummary } from '../../functions/shared/summary.ts';

/** A handler's answer as the timeline shows it: what the sentinel did, and its verdict. */
export function describe(res: unknown): { did: string; verdict: string } {
  const r = res as Partial<RunSummary> & { status?: string; reason?: string };
  if (r.status !== 'done') return { did: `${r.status ?? 'no answer'}: ${r.reason ?? ''}`, verdict: '-' };
  const did = r.actions?.length ? r.actions.join('; ') : 'nothing to change';
  const verdict = r.inSync ? 'in sync' : `DRIFT: ${(r.drift ?? []).join('; ')}`;
  return { did, verdict };
}
