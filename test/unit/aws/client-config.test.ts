import { afterEach, describe, expect, it } from 'vitest';
import { AWS_CALL_BUDGET, clientConfig } from '../../../functions/core/aws/client-config.ts';

// every test runs with SENTINEL_AWS_REQUEST_TIMEOUT_MS set (vitest.config.ts): this file checks what
// a deployed function gets without it
const saved = process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS;
afterEach(() => {
  if (saved === undefined) delete process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS;
  else process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS = saved;
});

describe('clientConfig', () => {
  it('gives a deployed function the budget: standard retries, 3 attempts, 3 s connect, 8 s request', () => {
    delete process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS;
    expect(clientConfig()).toEqual({
      maxAttempts: 3,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 8_000, throwOnRequestTimeout: true },
    });
    expect(AWS_CALL_BUDGET).toMatchObject({
      maxAttempts: 3,
      connectionTimeoutMs: 3_000,
      requestTimeoutMs: 8_000,
    });
  });

  it('takes a longer request timeout from the environment (a slow local moto), never a bad one', () => {
    process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS = '30000';
    expect(clientConfig().requestHandler.requestTimeout).toBe(30_000);
    for (const bad of ['', '0', '-5', 'soon']) {
      process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS = bad;
      expect(clientConfig().requestHandler.requestTimeout).toBe(8_000);
    }
  });
});
