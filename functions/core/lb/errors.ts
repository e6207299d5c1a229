/** The AWS error code of an SDK error without its `Exception` suffix (SDK names vary), or ''. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object' && 'name' in err && typeof err.name === 'string') {
    return err.name.replace(/Exception$/, '');
  }
  return '';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Deregisters a batch; when the load balancer refuses it because one of the ids is no longer
 * there ("already gone"), deregisters the ids one by one, so the others still go.
 */
export async function deregisterEach(
  ids: string[],
  call: (ids: string[]) => Promise<unknown>,
  goneErrors: string[],
): Promise<void> {
  try {
    await call(ids);
    return;
  } catch (err) {
    if (!goneErrors.includes(errorName(err))) throw err;
    if (ids.length === 1) return;
  }
  for (const id of ids) {
    try {
      await call([id]);
    } catch (err) {
      if (!goneErrors.includes(errorName(err))) throw err;
    }
  }
}
