import { readHubBatch } from '../core/fleet/hub-records.ts';
import { ENV, optionalEnv, requireEnv } from '../shared/env.ts';
import { sentinelHandler } from '../shared/middy-stack.ts';
import { parseOrReject, type Rejected } from '../shared/parse-event.ts';
import { log } from '../shared/powertools.ts';
import { ownRuntime, type Runtime, runtime } from '../shared/runtime.ts';
import { HUB_CLIENTS } from './clients.ts';
import { type HubBatchResult, runHubBatch } from './reports.ts';

export type { HubBatchResult, HubResult } from './reports.ts';

/**
 * The fleet's hub: a batch of members' `Findings Reported` events off its report queue in (the hub
 * bus's rule → SQS → this function), the alert policy applied for the whole fleet out (alert
 * table, topic, the hub's own events). A record is believed only when SQS proves it came off that
 * queue, which only EventBridge's rule may send to; then only when its sender is the account and
 * region the config gives its cluster. Anything else is logged and dropped, never retried; an AWS
 * failure fails its record, so SQS redelivers it and then the queue's DLQ keeps it. An invocation
 * that is not an SQS batch is rejected.
 */
export function createHandler(
  deps: () => Runtime = runtime(HUB_CLIENTS),
  env: NodeJS.ProcessEnv = process.env,
) {
  const own = ownRuntime(deps, HUB_CLIENTS);
  return sentinelHandler(async (event: unknown): Promise<HubBatchResult | Rejected> => {
    const { config, clients } = own();
    const input = parseOrReject(readHubBatch, event);
    if ('rejected' in input) return input.rejected;
    const eventBusName = optionalEnv(ENV.EVENT_BUS_NAME, env);
    return runHubBatch(input.event, {
      config,
      clients,
      log,
      queue: { arn: requireEnv(ENV.HUB_QUEUE_ARN, env), url: requireEnv(ENV.HUB_QUEUE_URL, env) },
      tableName: requireEnv(ENV.ALERT_TABLE_NAME, env),
      topicArn: requireEnv(ENV.ALERT_TOPIC_ARN, env),
      ...(eventBusName ? { eventBusName } : {}),
    });
  });
}

export const handler = createHandler();
