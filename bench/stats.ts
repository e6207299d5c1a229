/** The median (mean of the middle two for an even count; NaN when empty). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
export const round2 = (n: number) => Math.round(n * 100) / 100;

/** Runs `a` and `b` `runs` times each, alternating which goes first, after `warmup` rounds of both. */
export async function interleaved<T>(
  a: () => Promise<T>,
  b: () => Promise<T>,
  runs: number,
  warmup: number,
): Promise<{ a: T[]; b: T[] }> {
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const out: { a: T[]; b: T[] } = { a: [], b: [] };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}
