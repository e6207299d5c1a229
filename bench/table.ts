/**
 * The benchmark's rows and how they are judged and printed. Every figure with a target is a count
 * or a ratio, so a verdict holds on a slow or noisy machine; absolute times are `info` only.
 */
export type Verdict = 'pass' | 'FAIL' | 'info' | 'error';

export interface Row {
  area: string;
  measure: string;
  /** What is shown in the table. */
  value: string;
  target: string;
  verdict: Verdict;
  /** The figure behind `value`, for machines (README, CI). */
  figure?: number;
  /** AWS API calls behind the figure, `Service.Operation` → count. */
  calls?: Record<string, number>;
  /** Further figures behind the row (sizes in KiB, medians in ms, …). */
  extra?: Record<string, number>;
  note?: string;
}

export const HEADERS = ['area', 'measure', 'value', 'target', 'verdict'] as const;

/** A row whose target is an upper bound (`value ≤ max`). */
export function atMost(area: string, measure: string, figure: number, max: number, unit = ''): Row {
  return {
    area,
    measure,
    value: `${fmt(figure)}${unit}`,
    target: `≤ ${fmt(max)}${unit}`,
    verdict: figure <= max ? 'pass' : 'FAIL',
    figure,
  };
}

/** A row whose target is an exact count. */
export function exactly(area: string, measure: string, figure: number, expected: number): Row {
  return {
    area,
    measure,
    value: fmt(figure),
    target: `= ${fmt(expected)}`,
    verdict: figure === expected ? 'pass' : 'FAIL',
    figure,
  };
}

/** A row without a target (sizes, absolute times, call lists). */
export function info(area: string, measure: string, value: string, figure?: number): Row {
  return { area, measure, value, target: '—', verdict: 'info', ...(figure === undefined ? {} : { figure }) };
}

/** A section that could not run: it counts as a missed target. */
export function errorRow(area: string, err: unknown): Row {
  const message = err instanceof Error ? err.message : String(err);
  return {
    area,
    measure: 'section failed',
    value: message.split('\n')[0] ?? '',
    target: 'runs',
    verdict: 'error',
  };
}

/** Marks a row failed (e.g. the world was not in the state the figure assumes), keeping its figure. */
export function failWith(row: Row, note: string): Row {
  return { ...row, verdict: 'FAIL', note: row.note ? `${row.note}; ${note}` : note };
}

export function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(2);
}

/** `Service.Operation ×n` per line, sorted: the calls behind a count. */
export function callLines(calls: Record<string, number>): string[] {
  return Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => (n > 1 ? `${op} ×${n}` : op));
}

const WRAP = 44;

/** Splits a cell into lines of at most WRAP characters, breaking after `, ` or `; `. */
function wrap(text: string): string[] {
  const parts = text.split(/(?<=[,;] )/);
  const lines: string[] = [];
  let cur = '';
  for (const part of parts) {
    if (cur && cur.length + part.length > WRAP) {
      lines.push(cur.trimEnd());
      cur = '';
    }
    cur += part;
  }
  if (cur) lines.push(cur.trimEnd());
  return lines.length ? lines : [''];
}

/** The plain-text table: aligned columns; a long value continues on the following lines; notes as footnotes. */
export function renderTable(rows: readonly Row[]): string {
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const r of rows) {
    const measure = r.note ? `${r.measure} [${notes.push(r.note)}]` : r.measure;
    const values = r.calls ? [r.value, ...callLines(r.calls).map((c) => `  ${c}`)] : wrap(r.value);
    values.forEach((v, i) => {
      lines.push(i === 0 ? [r.area, measure, v, r.target, r.verdict] : ['', '', v, '', '']);
    });
  }
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  const footnotes = notes.map((n, i) => `[${i + 1}] ${n}`);
  return [line(HEADERS), rule, ...lines.map(line), ...(footnotes.length ? ['', ...footnotes] : [])].join(
    '\n',
  );
}

/** True when every target was met (info rows have none). */
export function allMet(rows: readonly Row[]): boolean {
  return rows.every((r) => r.verdict === 'pass' || r.verdict === 'info');
}

export function summary(rows: readonly Row[]): string {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const failed = count('FAIL') + count('error');
  return `${rows.length} rows: ${count('pass')} pass, ${count('info')} info, ${failed} missed`;
}
