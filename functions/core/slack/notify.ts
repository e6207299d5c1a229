import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ALERT_SCHEMA, type MachineAlert } from '../alerts/messages.ts';
import { type Log, silentLog } from '../log.ts';
import { alarmBlocks, alertBlocks, isCloudWatchAlarm, type SlackMessage, textBlocks } from './blocks.ts';
import { checkWebhookUrl, postToWebhook, WebhookError, type WebhookOptions } from './webhook.ts';

/** Where the webhook URL comes from: read once, kept for the container's life, dropped on demand. */
export interface WebhookUrlSource {
  get(): Promise<string>;
  /** Forget the cached URL (e.g. after Slack said the webhook is gone; the secret may have been rotated). */
  invalidate(): void;
}

export interface NotifyDeps {
  webhookUrl: WebhookUrlSource;
  webhook?: WebhookOptions;
  /** Injectable for tests; defaults to postToWebhook. */
  post?: typeof postToWebhook;
  /** Tests and the rehearsal only (see WebhookOptions.allowInsecureLocalSlack). */
  allowInsecureLocalSlack?: boolean;
  logger?: Log;
}

/** One message to post: what an SNS record carries (the notifier handler parses the event). */
export interface SlackRecord {
  subject?: string;
  message: string;
  messageId: string;
}

export interface NotifyResult {
  posted: number;
}

/**
 * The webhook URL from the secret string: either the URL itself or JSON `{"url": "..."}`, and
 * only a Slack webhook URL (checkWebhookUrl). Errors never include the secret's content beyond
 * the scheme or host of a refused URL.
 */
export function parseWebhookSecret(
  secretString: string | undefined,
  opts: { allowInsecureLocalSlack?: boolean } = {},
): string {
  const raw = (secretString ?? '').trim();
  if (!raw) throw new Error('The Slack webhook secret is empty');
  let candidate = raw;
  if (raw.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error('The Slack webhook secret looks like JSON but does not parse');
    }
    const o = (parsed ?? {}) as Record<string, unknown>;
    const url = o.url ?? o.webhookUrl ?? o.webhook_url;
    if (typeof url !== 'string' || !url.trim()) {
      throw new Error('The Slack webhook secret is JSON without a "url" string');
    }
    candidate = url.trim();
  }
  checkWebhookUrl(candidate, opts);
  return candidate;
}

/** Reads the webhook URL from Secrets Manager lazily, once, and caches it (a failed read is not cached). */
export function secretsManagerWebhookUrl(
  secrets: SecretsManagerClient,
  secretName: string,
  opts: { allowInsecureLocalSlack?: boolean } = {},
): WebhookUrlSource {
  let cached: Promise<string> | undefined;
  return {
    get() {
      if (!cached) {
        const pending = secrets
          .send(new GetSecretValueCommand({ SecretId: secretName }))
          .then((res) => parseWebhookSecret(res.SecretString, opts));
        cached = pending;
        pending.catch(() => {
          if (cached === pending) cached = undefined;
        });
      }
      return cached;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

/** The message body a subscription delivers: the machine-readable alert, a CloudWatch alarm, or anything else. */
export function slackMessageFor(message: string, subject?: string | null): SlackMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return textBlocks(subject ?? undefined, message);
  }
  if (parsed && typeof parsed === 'object' && (parsed as { schema?: unknown }).schema === ALERT_SCHEMA) {
    return alertBlocks(parsed as MachineAlert);
  }
  if (isCloudWatchAlarm(parsed)) return alarmBlocks(parsed);
  return textBlocks(subject ?? undefined, message);
}

/**
 * Posts each record to Slack. Throws when a post finally fails, so the invocation fails and
 * SNS retries it (and its DLQ keeps it when retries run out): a message is never dropped silently.
 */
export async function notifySlack(records: readonly SlackRecord[], deps: NotifyDeps): Promise<NotifyResult> {
  const log = deps.logger ?? silentLog;
  const post = deps.post ?? postToWebhook;
  if (records.length === 0) return { posted: 0 };
  const url = await deps.webhookUrl.get();
  let posted = 0;
  const failures: Error[] = [];
  for (const record of records) {
    const message = slackMessageFor(record.message, record.subject);
    try {
      const res = await post(url, message, {
        ...deps.webhook,
        ...(deps.allowInsecureLocalSlack ? { allowInsecureLocalSlack: true } : {}),
        onRetry: (info) => log.warn('Slack webhook retry', { messageId: record.messageId, ...info }),
      });
      posted += 1;
      log.info('Posted to Slack', { messageId: record.messageId, attempts: res.attempts });
    } catch (err) {
      if (
        err instanceof WebhookError &&
        !err.retryable &&
        (err.status === 403 || err.status === 404 || err.status === 410)
      ) {
        deps.webhookUrl.invalidate();
      }
      log.error('Posting to Slack failed', { messageId: record.messageId, error: (err as Error).message });
      failures.push(err as Error);
    }
  }
  if (failures.length > 0) {
    const first = failures[0];
    if (failures.length === 1 && first) throw first;
    throw new AggregateError(
      failures,
      `${failures.length} of ${records.length} Slack post(s) failed: ${failures.map((f) => f.message).join('; ')}`,
    );
  }
  return { posted };
}
