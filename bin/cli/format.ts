import { isDrift, type Verdict } from '../../functions/core/findings/finding.ts';

/** Exit codes shared by every command: 0 in sync, 1 drift remains, 2 bad input. */
export const EXIT = { inSync: 0, drift: 1, badInput: 2 } as const;

const MARK: Record<string, string> = { ok: 'ok', info: 'info', warning: 'WARN', critical: 'CRIT' };

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** A plain table: one row per finding; passing rows are folded into a count unless `all`. */
export function renderTable(verdicts: readonly Verdict[], opts: { all?: boolean } = {}): string {
  const lines: string[] = [];
  for (const v of verdicts) {
    lines.push(`cluster ${v.cluster}: ${v.inSync ? 'IN SYNC' : 'DRIFT'}`);
    const shown = v.findings.filter((f) => opts.all || f.severity !== 'ok');
    const rows = shown.map((f) => [MARK[f.severity] ?? f.severity, f.code, f.resource, f.action, f.message]);
    const head = ['', 'code', 'resource', 'action', 'what'];
    const widths = head.map((h, i) =>
      Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
    );
    if (rows.length > 0) {
      lines.push(`  ${head.map((h, i) => pad(h, widths[i] ?? 0)).join('  ')}`.trimEnd());
      for (const r of rows)
        lines.push(`  ${r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ')}`);
    }
    const passing = v.findings.length - shown.length;
    if (passing > 0)
      lines.push(`  (${passing} passing check${passing === 1 ? '' : 's'} not shown; --all shows them)`);
    const drift = v.findings.filter(isDrift).length;
    lines.push(`  ${drift} drift finding${drift === 1 ? '' : 's'}`);
  }
  return lines.join('\n');
}

export function exitCodeOf(verdicts: readonly Verdict[]): number {
  return verdicts.every((v) => v.inSync) ? EXIT.inSync : EXIT.drift;
}
