import type { CallCounter } from '../functions/core/aws/clients.ts';

/** The counter's calls as a plain object (for rows and JSON). */
export function snapshot(counter: CallCounter): Record<string, number> {
  return Object.fromEntries([...counter.calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export function total(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

const MUTATING = /\.(Register|Deregister|Attach|Detach|Create|Delete|Modify|Put|Update)/;

/** Calls that change something: none is expected in steady state. */
export function mutating(calls: Record<string, number>): string[] {
  return Object.keys(calls).filter((op) => MUTATING.test(op));
}

/** Runs `fn` with the counter reset before and read after. */
export async function counted<T>(
  counter: CallCounter,
  fn: () => Promise<T>,
): Promise<{ result: T; calls: Record<string, number>; total: number }> {
  counter.reset();
  const result = await fn();
  const calls = snapshot(counter);
  return { result, calls, total: total(calls) };
}
