import { isDrift, type Verdict } from '../core/findings/finding.ts';

/** A handler's short answer: what it changed (or would have), and what drift remains. */
export interface RunSummary {
  inSync: boolean;
  actions: string[];
  drift: string[];
}

export function summarize(verdicts: readonly Verdict[]): RunSummary {
  const findings = verdicts.flatMap((v) => v.findings);
  return {
    inSync: verdicts.every((v) => v.inSync),
    actions: findings
      .filter((f) => f.action === 'repaired' || f.action === 'would-repair' || f.action === 'repair-failed')
      .map((f) => `${f.action} ${f.code} ${f.resource}`),
    drift: findings.filter(isDrift).map((f) => `${f.code} ${f.resource}`),
  };
}
