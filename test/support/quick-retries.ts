import { MAXIMUM_RETRY_DELAY, StandardRetryStrategy } from '@smithy/core/retry';
import { AWS_CALL_BUDGET, type RetryStrategy } from '../../functions/core/aws/client-config.ts';

/**
 * The SDK's own standard retry strategy (the one every deployed client resolves from the budget:
 * same attempts, retry quota and error classification) with each delay base the SDK sets divided
 * by `divisor`: full-jitter exponential backoff, `random × min(base × 2^retry, cap)`, as the SDK
 * computes it, only shorter. Tests of retries under injected faults run on it instead of waiting
 * out seconds of real backoff; the real delays are proved in test/unit/aws/retry-budget.test.ts.
 */
export function quickRetries(divisor: number): () => RetryStrategy {
  return () => quickRetryStrategy(divisor);
}

function quickRetryStrategy(divisor: number): RetryStrategy {
  let base = 0;
  return new StandardRetryStrategy({
    maxAttempts: AWS_CALL_BUDGET.maxAttempts,
    backoff: {
      setDelayBase(delay: number) {
        base = delay / divisor;
      },
      computeNextBackoffDelay(retry: number) {
        return Math.floor(Math.random() * Math.min(base * 2 ** retry, MAXIMUM_RETRY_DELAY / divisor));
      },
    },
  });
}
