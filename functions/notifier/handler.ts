import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type NotifyDeps,
  type NotifyResult,
  notifySlack,
  secretsManagerWebhookUrl,
  type WebhookUrlSource,
} from '../core/slack/notify.ts';
import type { WebhookOptions } from '../core/slack/webhook.ts';
import { deployedClients } from '../shared/deployed-clients.ts';
import { ENV, requireEnv } from '../shared/env.ts';
import { sentinelHandler } from '../shared/middy-stack.ts';
import { log } from '../shared/powertools.ts';
import { NOTIFIER_CLIENTS } from './clients.ts';
import { snsRecords } from './sns-records.ts';

/** What the handler can be given instead of the defaults (tests pass these). */
export interface NotifierHandlerDeps {
  secrets?: SecretsManagerClient;
  /** Default: env SLACK_SECRET_NAME, read at the first invocation. */
  secretName?: string;
  webhookUrl?: WebhookUrlSource;
  webhook?: WebhookOptions;
  post?: NotifyDeps['post'];
  /**
   * Tests and the rehearsal only: lets the notifier post to a local Slack stand-in over `http:`
   * on a loopback address. The deployed `handler` below never passes it; no config field or
   * environment variable sets it.
   */
  allowInsecureLocalSlack?: boolean;
}

/**
 * SNS → Slack: wiring only. Its Secrets Manager client is constructed here, at module load for the
 * deployed handler (Lambda's init phase), unless the deps bring a client or a webhook URL source;
 * no I/O before the first invocation; the secret is read once and cached.
 */
export function createHandler(deps: NotifierHandlerDeps = {}) {
  // its own client set: the notifier bundles only Secrets Manager
  const secrets = deps.secrets ?? (deps.webhookUrl ? undefined : deployedClients(NOTIFIER_CLIENTS).secrets);
  let resolved: NotifyDeps | undefined;
  const notifyDeps = (): NotifyDeps => {
    if (!resolved) {
      const webhookUrl =
        deps.webhookUrl ??
        secretsManagerWebhookUrl(
          secrets as SecretsManagerClient,
          deps.secretName ?? requireEnv(ENV.SLACK_SECRET_NAME),
          deps.allowInsecureLocalSlack ? { allowInsecureLocalSlack: true } : {},
        );
      resolved = { webhookUrl, logger: log };
      if (deps.allowInsecureLocalSlack) resolved.allowInsecureLocalSlack = true;
      if (deps.webhook) resolved.webhook = deps.webhook;
      if (deps.post) resolved.post = deps.post;
    }
    return resolved;
  };
  return sentinelHandler(
    async (event: unknown): Promise<NotifyResult> => notifySlack(snsRecords(event), notifyDeps()),
  );
}

export const handler = createHandler();
