import { errorMessage } from '../aws/errors.ts';
import type { Finding } from './finding.ts';
import { finding } from './make.ts';

/**
 * The `aws` check: whether a function's AWS calls for a cluster went through. The resource is the
 * function (`registrar` or `verifier`), so only that function's next complete run resolves it.
 */
export type CallerName = 'registrar' | 'verifier';

export function awsCallFailed(cluster: string, caller: CallerName, during: string, err: unknown): Finding {
  return finding('AWS_CALL_FAILED', {
    cluster,
    resource: caller,
    expected: 'AWS calls succeed',
    actual: errorMessage(err),
    message: `the ${caller} stopped during ${during} of ${cluster}: ${errorMessage(err)}`,
    details: { during },
  });
}

export function awsCallsOk(cluster: string, caller: CallerName): Finding {
  return finding('AWS_CALLS_OK', {
    cluster,
    resource: caller,
    expected: 'AWS calls succeed',
    actual: 'they did',
    message: `the ${caller}'s AWS calls for ${cluster} went through`,
  });
}
