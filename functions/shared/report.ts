import type { RunSource } from '../core/alerts/messages.ts';
import { PublishRunError, type PublishRunResult, publishRun } from '../core/alerts/publish.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { Verdict } from '../core/findings/finding.ts';
import type { Log } from '../core/log.ts';
import { ENV, optionalEnv } from './env.ts';
import { logVerdicts } from './log-verdicts.ts';
import { reportToHub } from './report-to-hub.ts';
import { type RunFacts, recordRunMetrics } from './run-metrics.ts';

/** Where a function reports to: resource names from its environment, set by the stack. */
export interface ReportTargets {
  tableName?: string;
  topicArn?: string;
  eventBusName?: string;
  followUpQueueUrl?: string;
  /** A fleet member's report bus (with `alerts.hub`): the hub alerts, this function only reports. */
  reportBusName?: string;
}

export function reportTargets(env: NodeJS.ProcessEnv = process.env): ReportTargets {
  const pick = (name: string) => optionalEnv(name, env);
  const out: ReportTargets = {};
  const table = pick(ENV.ALERT_TABLE_NAME);
  const topic = pick(ENV.ALERT_TOPIC_ARN);
  const bus = pick(ENV.EVENT_BUS_NAME);
  const queue = pick(ENV.FOLLOW_UP_QUEUE_URL);
  const reports = pick(ENV.REPORT_BUS_NAME);
  if (table) out.tableName = table;
  if (topic) out.topicArn = topic;
  if (bus) out.eventBusName = bus;
  if (queue) out.followUpQueueUrl = queue;
  if (reports) out.reportBusName = reports;
  return out;
}

/**
 * Logs a run's findings, hands them to alerting and writes the run's metrics (run-metrics.ts),
 * also when alerting failed. A fleet member (REPORT_BUS_NAME set) reports them to the hub
 * (report-to-hub.ts); any other function deduplicates them in the alert table, then SNS and
 * EventBridge. Without a table and topic (a bare test or local run) it only logs and writes metrics. `verification`
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
  const { tableName, topicArn, eventBusName, reportBusName } = deps.targets;
  if (reportBusName) {
    try {
      const put = await reportToHub(source, verdicts, {
        clients: deps.clients,
        log: deps.log,
        reportBusName,
        ...(eventBusName ? { eventBusName } : {}),
        ...(deps.verification ? { verification: true } : {}),
      });
      deps.log.info('run reported to the hub', { ...put });
    } finally {
      recordRunMetrics(facts);
    }
    return;
  }
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
