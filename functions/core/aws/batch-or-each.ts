/**
 * Calls `call` with every item at once; when the batch fails because one of its items does not
 * exist (AWS fails the whole call then), calls it once per item and leaves out the missing ones.
 * Any other failure is thrown. Bounded: at most `items.length + 1` calls.
 */
export async function batchOrEach<T, R>(
  items: readonly T[],
  call: (batch: T[]) => Promise<R[]>,
  isNotFound: (err: unknown) => boolean,
): Promise<R[]> {
  if (items.length === 0) return [];
  try {
    return await call([...items]);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    if (items.length === 1) return [];
  }
  const out: R[] = [];
  for (const item of items) {
    try {
      out.push(...(await call([item])));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return out;
}
