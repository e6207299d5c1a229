import type { RunSource } from '../core/alerts/messages.ts';
import { PublishRunError, type PublishRunResult, publishRun } from '../core/alerts/publish.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { Verdict } from '../core/findings/finding.ts';
import type { Log } from '../core/log.ts';
import { ENV, optionalEnv } from './env.ts';
import { logVerdicts } from './log-verdicts.ts';
import { type RunFacts, recordRunMetrics } from './run-metrics.ts';

/** Where a function reports to: resource names from its environment, set by the stack. */
export interface ReportTargets {
  tableName?: string;
  topicArn?: string;
  eventBusName?: string;
  followUpQueueUrl?: string;
}

export function reportTargets(env: NodeJS.ProcessEnv = process.env): ReportTargets {
  const pick = (name: string) => optionalEnv(name, env);
  const out: ReportTargets = {};
  const table = pick(ENV.ALERT_TABLE_NAME);
  const topic = pick(ENV.ALERT_TOPIC_ARN);
  const bus = pick(ENV.EVENT_BUS_NAME);
  const queue = pick(ENV.FOLLOW_UP_QUEUE_URL);
  if (table) out.tableName = table;
  if (topic) out.topicArn = topic;
  if (bus) out.eventBusName = bus;
  if (queue) out.followUpQueueUrl = queue;
  return out;
}

/**
 * Logs a run's findings, hands them to alerting (deduplicated in the alert table, then SNS and
 * EventBridge) and writes the run's metrics (run-metrics.ts), also when alerting failed. Without
 * a table and topic (a bare test or local run) it only logs and writes metrics. `verification`
 * marks a full verifier run: each of its cluster verdicts counts as one verification.
 */
export async function reportRun(
  source: RunSource,
  verdicts: Verdict[],
  deps: {
    config: SentinelConfig;
    clients: AwsClients;
    log: Log;
    targets: ReportTargets;
    verification?: boolean;
  },
): Promise<void> {
  logVerdicts(deps.log, verdicts);
  const facts: RunFacts = { source, verdicts, ...(deps.verification ? { verification: true } : {}) };
  const { tableName, topicArn, eventBusName } = deps.targets;
  if (!tableName || !topicArn) {
    deps.log.warn(
      'alerting is not configured (ALERT_TABLE_NAME, ALERT_TOPIC_ARN); findings were only logged',
    );
    recordRunMetrics(facts);
    return;
  }
  let result: PublishRunResult | undefined;
  try {
    result = await publishRun(
      { source, verdicts },
      {
        clients: deps.clients,
        tableName,
        topicArn,
        config: deps.config.alerts,
        clusters: deps.config.clusters,
        ...(eventBusName ? { eventBusName } : {}),
        ...(deps.config.alerts.runbookBaseUrl ? { runbookBaseUrl: deps.config.alerts.runbookBaseUrl } : {}),
        logger: deps.log,
      },
    );
  } catch (err) {
    if (err instanceof PublishRunError) result = err.result;
    throw err;
  } finally {
    recordRunMetrics(result ? { ...facts, alerts: result } : facts);
  }
  deps.log.info('alerts processed', {
    evaluated: result.evaluated,
    notifications: result.notifications.map((n) => `${n.kind} ${n.alertKey}`),
    events: result.events,
  });
}
