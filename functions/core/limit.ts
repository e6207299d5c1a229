/**
 * At most `width` tasks at a time, started in the order they were handed in: the verifier's and
 * the CLI's bounded concurrency over clusters. One limit can be shared by several runs (the CLI's
 * fleet: one per account and region), so the bound holds for all of them together.
 */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(width: number): Limit {
  const max = Math.max(1, Math.floor(width));
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < max) active += 1;
    // a finishing task hands its slot straight to the first waiting one
    else await new Promise<void>((start) => waiting.push(start));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
