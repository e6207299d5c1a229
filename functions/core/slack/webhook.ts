/**
 * Posts to a Slack incoming webhook with bounded retries, and only to Slack: the URL must be
 * `https:` on hooks.slack.com or hooks.slack-gov.com, with no user info and no port, and a
 * redirect is refused (never followed).
 *
 * - 2xx: done.
 * - 3xx: fails at once; a webhook that redirects is not Slack's.
 * - 429: waits `Retry-After` seconds (capped by the retry budget), then tries again.
 * - 5xx, timeouts and network errors: retried with bounded exponential backoff.
 * - Other 4xx (400 invalid_payload, 403 invalid_token, 404 no_service, 410 channel_is_archived):
 *   fails at once; trying again cannot help.
 * Giving up throws WebhookError, so the Lambda invocation fails and SNS retries (then its DLQ keeps
 * the message). The webhook URL is a secret: it never appears in errors or logs.
 */
import { quoteShort } from '../text.ts';

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
  /**
   * Tests and the rehearsal only: also accept `http:` to a loopback address (the local Slack
   * stand-in). The deployed notifier never sets it, and no config field or variable can.
   */
  allowInsecureLocalSlack?: boolean;
}

/** The hosts of Slack's incoming webhooks (commercial and GovSlack). */
export const SLACK_WEBHOOK_HOSTS: readonly string[] = ['hooks.slack.com', 'hooks.slack-gov.com'];

/** A webhook URL that is not Slack's; the message names the problem, never the URL's path. */
export class WebhookUrlError extends Error {
  constructor(problem: string) {
    super(`The Slack webhook URL is refused: ${problem}`);
    this.name = 'WebhookUrlError';
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks that a webhook URL is Slack's (see the top of this file) and returns it parsed. Errors
 * name the scheme or host at most (a short prefix of it); the path, which is the secret, never.
 */
export function checkWebhookUrl(raw: string, opts: { allowInsecureLocalSlack?: boolean } = {}): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new WebhookUrlError('it is not a URL (expected https://hooks.slack.com/services/...)');
  }
  const short = (v: string) => quoteShort(v, 40);
  if (
    opts.allowInsecureLocalSlack &&
    u.protocol === 'http:' &&
    isLoopback(u.hostname) &&
    !u.username &&
    !u.password
  )
    return u;
  if (u.protocol !== 'https:') throw new WebhookUrlError(`scheme ${short(u.protocol)} is not https:`);
  if (u.username || u.password) throw new WebhookUrlError('it carries user info (user:password@)');
  if (u.port !== '') throw new WebhookUrlError(`it names a port (${short(u.port)}); Slack's is the default`);
  if (!SLACK_WEBHOOK_HOSTS.includes(u.hostname))
    throw new WebhookUrlError(`host ${short(u.hostname)} is not one of ${SLACK_WEBHOOK_HOSTS.join(', ')}`);
  return u;
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
  checkWebhookUrl(url, options);

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
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => undefined);
        throw new WebhookError(
          `Slack webhook answered with a redirect (HTTP ${res.status}); redirects are refused (not retried)`,
          res.status,
          false,
          attempt,
        );
      }
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
