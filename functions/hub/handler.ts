import { PublishRunError, type PublishRunResult } from '../core/alerts/publish.ts';
import { acceptReport, applyReport, clusterPlaces } from '../core/fleet/hub.ts';
import { ENV, optionalEnv, requireEnv } from '../shared/env.ts';
import { sentinelHandler } from '../shared/middy-stack.ts';
import { log, logger } from '../shared/powertools.ts';
import { hubReportMetrics, writeMetrics } from '../shared/run-metrics.ts';
import { ownRuntime, type Runtime, runtime } from '../shared/runtime.ts';
import { HUB_CLIENTS } from './clients.ts';

export type HubResult =
  | { status: 'done'; cluster: string; notifications: number }
  | { status: 'dropped'; reason: string };

/**
 * The fleet's hub: one member's `Findings Reported` event in (EventBridge, async, DLQ), the alert
 * policy applied for the whole fleet out (alert table, topic, the hub's own events). A malformed
 * event, or one whose sender is not the account and region the config gives its cluster, is logged
 * and dropped, never retried; only an AWS failure throws, so Lambda retries it and then its DLQ
 * keeps it. Each full verifier run's report counts one `Reports` metric for its cluster.
 */
export function createHandler(
  deps: () => Runtime = runtime(HUB_CLIENTS),
  env: NodeJS.ProcessEnv = process.env,
) {
  const own = ownRuntime(deps, HUB_CLIENTS);
  let places: ReturnType<typeof clusterPlaces> | undefined;
  return sentinelHandler(async (event: unknown): Promise<HubResult> => {
    const { config, clients } = own();
    places ??= clusterPlaces(config);
    const read = acceptReport(event, places);
    if ('dropped' in read) {
      logger.error(`dropped a ${read.dropped} report; it will not be retried`, {
        field: read.field,
        reason: read.reason,
      });
      return { status: 'dropped', reason: read.reason };
    }
    const { detail } = read.report;
    const eventBusName = optionalEnv(ENV.EVENT_BUS_NAME, env);
    let result: PublishRunResult | undefined;
    try {
      result = await applyReport(read.report, {
        config,
        clients,
        tableName: requireEnv(ENV.ALERT_TABLE_NAME, env),
        topicArn: requireEnv(ENV.ALERT_TOPIC_ARN, env),
        ...(eventBusName ? { eventBusName } : {}),
        log,
      });
    } catch (err) {
      if (err instanceof PublishRunError) result = err.result;
      throw err;
    } finally {
      writeMetrics(hubReportMetrics(detail.cluster, detail.verification, result));
    }
    logger.info('report applied', {
      cluster: detail.cluster,
      account: read.report.account,
      region: read.report.region,
      source: detail.source,
      findings: detail.findings.length,
      truncated: detail.truncated,
      notifications: result.notifications.map((n) => `${n.kind} ${n.alertKey}`),
      events: result.events,
    });
    return { status: 'done', cluster: detail.cluster, notifications: result.notifications.length };
  });
}

export const handler = createHandler();
