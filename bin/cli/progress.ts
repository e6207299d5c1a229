import { isDrift, type Verdict } from '../../functions/core/findings/finding.ts';
import type { CliIo } from './common.ts';
import type { WhereOf } from './format.ts';
import type { Output } from './spec.ts';

export type Progress = ((line: string) => void) & { quiet: boolean };

/**
 * Progress lines on stderr: only on a terminal and only with table output; otherwise nothing, and the
 * core's info log is quiet too (warnings and errors still go to stderr).
 */
export function progressFor(io: CliIo, output: Output): Progress {
  const on = Boolean(io.stderr.isTTY) && output === 'table';
  return Object.assign(on ? (line: string) => io.stderr.write(`${line}\n`) : () => undefined, { quiet: !on });
}

/**
 * One cluster done: `[2/5] k8s.example.com (123456789012 eu-west-1): DRIFT (3 drift findings), 14 check(s)`
 * (where it is, when `where` knows), then one line
 * per check it ran, in the order the run reported them: `      tls: DRIFT 2 of 6`.
 */
export function verdictLine(v: Verdict, n: number, total: number, where?: WhereOf): string {
  const drift = v.findings.filter(isDrift).length;
  const state = v.inSync ? 'in sync' : `DRIFT (${drift} drift finding${drift === 1 ? '' : 's'})`;
  const byCheck = new Map<string, { all: number; drift: number }>();
  for (const f of v.findings) {
    const c = byCheck.get(f.check) ?? { all: 0, drift: 0 };
    c.all += 1;
    if (isDrift(f)) c.drift += 1;
    byCheck.set(f.check, c);
  }
  const checks = [...byCheck].map(
    ([check, c]) => `      ${check}: ${c.drift > 0 ? `DRIFT ${c.drift} of ${c.all}` : `ok (${c.all})`}`,
  );
  const at = where?.(v.cluster);
  const place = at ? ` (${at.account} ${at.region})` : '';
  return [`[${n}/${total}] ${v.cluster}${place}: ${state}, ${v.findings.length} check(s)`, ...checks].join(
    '\n',
  );
}
