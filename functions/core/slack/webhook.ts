/**
 * Posts to a Slack incoming webhook with bounded retries.
 *
 * - 2xx: done.
 * - 429: waits `Retry-After` seconds (capped by the retry budget), then tries again.
 * - 5xx, timeouts and network errors: retried with bounded exponential backoff.
 * - Other 4xx (400 invalid_payload, 403 invalid_token, 404 no_service, 410 channel_is_archived):
 *   fails at once; trying again cannot help.
 * Giving up throws WebhookError, so the Lambda invocation fails and SNS retries (then its DLQ keeps
 * the message). The webhook URL is a secret: it never appears in errors or logs.
 */
export interface WebhookOptions {
  /** Per-attempt timeout (connect, response and body). Default 5000 ms. */
  timeoutMs?: number;
  /** Attempts in all (first try included). Default 3. */
  maxAttempts?: number;
  /** First backoff delay; doubles each retry. Default 500 ms. */
  baseDelayMs?: number;
  /** Largest single backoff delay. Default 4000 ms. */
  maxDelayMs?: number;
  /** Total time spent waiting between attempts, Retry-After included. Default 30000 ms. */
  retryBudgetMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests (defaults to the global fetch). */
  fetch?: typeof fetch;
  /** Called before each wait (for logging); never receives the URL. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

export interface WebhookResult {
  status: number;
  attempts: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After as milliseconds: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  return undefined;
}

function redact(text: string, secret: string): string {
  if (!secret) return text;
  let out = text.split(secret).join('[webhook-url]');
  try {
    const u = new URL(secret);
    if (u.pathname.length > 1) out = out.split(u.pathname).join('[webhook-path]');
  } catch {
    // not a URL: nothing more to hide
  }
  return out;
}

function describeFailure(err: unknown): { reason: string; timeout: boolean } {
  const e = err as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return { reason: 'timed out', timeout: true };
  const code = e?.cause?.code ?? e?.cause?.name ?? e?.name ?? 'error';
  return { reason: `network error (${code})`, timeout: false };
}

export async function postToWebhook(
  url: string,
  payload: unknown,
  options: WebhookOptions = {},
): Promise<WebhookResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxAttempts = Math.max(1, Math.min(options.maxAttempts ?? 3, 10));
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 4000;
  const budget = options.retryBudgetMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const doFetch = options.fetch ?? fetch;
  const body = JSON.stringify(payload);

  let waited = 0;
  let lastReason = '';
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read the body within the same timeout; Slack answers with a short code such as `ok` or `invalid_payload`.
      const text = (await res.text()).slice(0, 200);
      if (res.ok) return { status: res.status, attempts: attempt };
      lastStatus = res.status;
      const detail = redact(text.replace(/\s+/g, ' ').trim(), url);
      lastReason = `HTTP ${res.status}${detail ? ` ${detail}` : ''}`;
      if (res.status === 429) {
        retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      } else if (res.status < 500) {
        throw new WebhookError(
          `Slack webhook rejected the message: ${lastReason} (not retried)`,
          res.status,
          false,
          attempt,
        );
      }
    } catch (err) {
      if (err instanceof WebhookError) throw err;
      lastStatus = undefined;
      const failure = describeFailure(err);
      lastReason = redact(failure.reason, url);
    }

    if (attempt === maxAttempts) break;
    const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    const delay = retryAfterMs ?? backoff;
    if (waited + delay > budget) {
      throw new WebhookError(
        `Slack webhook: ${lastReason}; waiting ${Math.ceil(delay / 1000)} s more would exceed the ${Math.round(budget / 1000)} s retry budget (gave up after ${attempt} attempt(s))`,
        lastStatus,
        true,
        attempt,
      );
    }
    options.onRetry?.({ attempt, delayMs: delay, reason: lastReason });
    waited += delay;
    await sleep(delay);
  }
  throw new WebhookError(
    `Slack webhook: ${lastReason}; gave up after ${maxAttempts} attempt(s)`,
    lastStatus,
    true,
    maxAttempts,
  );
}
