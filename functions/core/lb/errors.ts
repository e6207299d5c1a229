import { isAwsError } from '../aws/errors.ts';

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
    if (!isAwsError(err, ...goneErrors)) throw err;
    if (ids.length === 1) return;
  }
  for (const id of ids) {
    try {
      await call([id]);
    } catch (err) {
      if (!isAwsError(err, ...goneErrors)) throw err;
    }
  }
}
