import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * The configuration every SDK client of the sentinel is built with (the core's clients and the
 * notifier's own): region and endpoint when given, the retry budget and per-attempt timeouts. No
 * SDK import here (one type, erased), so a function that builds a single client does not bundle the others.
 */
/**
 * The retry budget and timeouts of every AWS call. `standard` retry mode, not `adaptive`: adaptive
 * adds a client-side token bucket that, once throttling lowered its rate, keeps delaying calls
 * (clean ones too) until it has measured its way back up, which a warm Lambda carries from one
 * invocation to the next. Standard mode backs off per call with jitter (at most a few seconds
 * over three attempts) and stops retrying when its retry quota is spent, so a bad minute cannot
 * slow the next clean run. Every attempt has a connect and a request (whole answer) timeout, so a
 * blackholed endpoint fails in seconds: the worst call takes about
 * maxAttempts × (connect or request timeout) + backoff, well inside the functions' timeouts.
 */
export const AWS_CALL_BUDGET = {
  retryMode: 'standard',
  maxAttempts: 3,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 8_000,
} as const;

/**
 * The request timeout in milliseconds from SENTINEL_AWS_REQUEST_TIMEOUT_MS, if set to a positive
 * number: local stand-ins on a busy machine (moto) answer slower than AWS, and sandbox/moto.ts
 * raises it for them. Deployed functions never set it.
 */
function requestTimeoutFromEnv(): number | undefined {
  const ms = Number(process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

export interface BudgetOptions {
  region?: string;
  /** One endpoint for every service, instead of the SDK's configuration (tests put a proxy in front of moto). */
  endpoint?: string;
  /** SDK attempts per call, the first included (default AWS_CALL_BUDGET.maxAttempts). */
  maxAttempts?: number;
  /** Time to establish a connection, per attempt (default AWS_CALL_BUDGET.connectionTimeoutMs). */
  connectionTimeoutMs?: number;
  /** Time from sending a request to its whole answer, per attempt (default AWS_CALL_BUDGET.requestTimeoutMs). */
  requestTimeoutMs?: number;
  /**
   * Makes the retry strategy of each client (its own, as each deployed client has its own retry
   * quota), in place of the SDK's standard one with maxAttempts: the tests hand in the SDK's
   * standard strategy with a shorter backoff (test/support/quick-retries.ts), so retries under
   * injected faults are proved without waiting out seconds. Deployed functions never set it.
   */
  retryStrategy?: () => RetryStrategy;
}

/** Any client's credentials: fixed ones or a provider (one type for every client, from the SDK's shared core). */
export type Credentials = NonNullable<DynamoDBClientConfig['credentials']>;

/** Any client's retry strategy type (they are one type, from the SDK's shared core). */
export type RetryStrategy = NonNullable<DynamoDBClientConfig['retryStrategy']>;

export function clientConfig(options: BudgetOptions = {}) {
  return {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: options.maxAttempts ?? AWS_CALL_BUDGET.maxAttempts,
    retryMode: AWS_CALL_BUDGET.retryMode,
    ...(options.retryStrategy ? { retryStrategy: options.retryStrategy() } : {}),
    // NodeHttpHandler options: the SDK builds its own handler from them (no direct dependency)
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? AWS_CALL_BUDGET.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? requestTimeoutFromEnv() ?? AWS_CALL_BUDGET.requestTimeoutMs,
      // without it, the handler only logs a warning when requestTimeout passes and keeps waiting
      throwOnRequestTimeout: true,
    },
  };
}
