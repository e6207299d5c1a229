import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AWS_CALL_BUDGET, clientConfig } from '../../../functions/core/aws/client-config.ts';

// The backoff a deployed client waits between attempts, read from the strategy the SDK resolves
// from clientConfig() with the clock faked: the moto tests of retries (integration/aws-faults) run
// on shorter delays (test/support/quick-retries.ts) and rely on these.

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function deployedStrategy() {
  const client = new AutoScalingClient({ ...clientConfig(), region: 'eu-west-1' });
  try {
    const strategy = await client.config.retryStrategy();
    if (!('acquireInitialRetryToken' in strategy)) throw new Error('not a retry strategy of the SDK');
    return strategy;
  } finally {
    client.destroy();
  }
}

/** The delays before each retry the strategy grants for one call, with jitter at its largest. */
async function worstDelays(errorType: 'THROTTLING' | 'TRANSIENT'): Promise<number[]> {
  const strategy = await deployedStrategy();
  vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
  vi.useFakeTimers();
  let token = await strategy.acquireInitialRetryToken('autoscaling');
  const delays: number[] = [];
  // bounded: the budget's attempts, and one more that must be refused
  for (let retry = 1; retry <= AWS_CALL_BUDGET.maxAttempts; retry++) {
    const started = Date.now();
    const next = strategy.refreshRetryTokenForRetry(token, { errorType }).then(
      (t) => t,
      () => undefined,
    );
    await vi.runAllTimersAsync();
    const granted = await next;
    if (!granted) break;
    delays.push(Date.now() - started);
    token = granted;
  }
  return delays;
}

describe('the deployed retry budget', () => {
  it('is the SDK standard strategy (not adaptive) with the budget of attempts', async () => {
    const strategy = await deployedStrategy();
    expect((strategy as { mode?: string }).mode).toBe('standard');
    expect(AWS_CALL_BUDGET.maxAttempts).toBe(3);
  });

  it('waits at most 1 s then 2 s for a throttled call, and grants no third retry', async () => {
    const delays = await worstDelays('THROTTLING');
    expect(delays).toEqual([999, 1_999]);
    // the bound integration/aws-faults judges a faulted event by (MAX_BACKOFF_MS_PER_CALL)
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThan(1_000 + 2_000);
  });

  it('waits at most 50 ms then 100 ms for a transient error', async () => {
    expect(await worstDelays('TRANSIENT')).toEqual([49, 99]);
  });
});
