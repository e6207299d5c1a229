import { type Finding, isDrift, type Verdict } from '../core/findings/finding.ts';
import type { Log } from '../core/log.ts';

/** Logs every finding as one structured line: errors for drift, info for the rest. */
export function logVerdicts(log: Log, verdicts: readonly Verdict[]): void {
  for (const v of verdicts) {
    for (const f of v.findings) {
      const line: Record<string, unknown> = { finding: f satisfies Finding };
      if (isDrift(f)) log.error(f.message, line);
      else if (f.severity === 'warning') log.warn(f.message, line);
      else log.info(f.message, line);
    }
    log.info('verdict', { cluster: v.cluster, inSync: v.inSync, findings: v.findings.length });
  }
}
