import { batchOrEach } from '../aws/batch-or-each.ts';
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
  await batchOrEach(
    ids,
    async (batch) => {
      await call(batch);
      return [];
    },
    (err) => isAwsError(err, ...goneErrors),
  );
}
