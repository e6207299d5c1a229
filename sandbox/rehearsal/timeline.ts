/** The rehearsal's record: one row per step, and the expectations checked along the way. */
export interface Row {
  at: number;
  event: string;
  did: string;
  verdict: string;
}

export interface Check {
  what: string;
  ok: boolean;
  detail?: string;
}

export class Timeline {
  readonly rows: Row[] = [];
  readonly checks: Check[] = [];
  private readonly started = Date.now();

  add(event: string, did: string, verdict: string): void {
    this.rows.push({ at: (Date.now() - this.started) / 1000, event, did, verdict });
  }

  expect(what: string, ok: boolean, detail?: string): void {
    this.checks.push(detail === undefined ? { what, ok } : { what, ok, detail });
  }

  get ok(): boolean {
    return this.checks.every((c) => c.ok);
  }

  render(): string {
    const head = ['time', 'event', 'what the sentinel did', 'verdict'];
    const widths = [7, 40, 58, 40];
    const out = [
      row(head, widths),
      row(
        widths.map((w) => '-'.repeat(w)),
        widths,
      ),
    ];
    for (const r of this.rows) {
      out.push(
        row(
          [`+${r.at.toFixed(1)}s`, r.event, r.did.split('; ').join('\n'), r.verdict.split('; ').join('\n')],
          widths,
        ),
      );
    }
    out.push('', 'expectations:');
    for (const c of this.checks)
      out.push(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.what}${c.detail ? ` (${c.detail})` : ''}`);
    return out.join('\n');
  }
}

/** Wraps text to a width: at explicit newlines first, then at spaces, then hard. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (candidate.length <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line);
  }
  return lines;
}

function row(cells: string[], widths: number[]): string {
  const wrapped = cells.map((c, i) => wrap(c, widths[i] ?? 20));
  const height = Math.max(...wrapped.map((w) => w.length));
  const lines: string[] = [];
  for (let l = 0; l < height; l++) {
    lines.push(
      wrapped
        .map((w, i) => (w[l] ?? '').padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  }
  return lines.join('\n');
}
