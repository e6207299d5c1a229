import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { PublishRunError, type PublishRunResult } from '../core/alerts/publish.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import { clusterPlaces } from '../core/config/select.ts';
import { acceptReport, applyReport } from '../core/fleet/hub.ts';
import { type HubQueue, proveFromHubQueue } from '../core/fleet/hub-queue.ts';
import type { HubQueueRecord, ReadRecord } from '../core/fleet/hub-records.ts';
import type { Log } from '../core/log.ts';
import { droppedReportMetrics, hubReportMetrics, writeMetrics } from '../shared/run-metrics.ts';

/** How one record of the batch ended: applied, or dropped (and why). */
export type HubResult =
  | {
      messageId: string;
      status: 'done';
      cluster: string;
      account: string;
      region: string;
      notifications: number;
    }
  | { messageId: string; status: 'dropped'; reason: string }
  /** Not newer than the cluster's last applied report of its source (order.ts): counted once already. */
  | { messageId: string; status: 'skipped'; cluster: string; reason: 'duplicate' | 'stale' };

export interface HubBatchResult {
  /** The records SQS redelivers (an AWS failure); Lambda reads only this. */
  batchItemFailures: { itemIdentifier: string }[];
  /** Each record's outcome, for logs and local runs. */
  results: HubResult[];
}

export interface HubDeps {
  config: SentinelConfig;
  clients: Pick<AwsClients, 'dynamodb' | 'sns' | 'eventbridge' | 'sqs'>;
  log: Log;
  queue: HubQueue;
  tableName: string;
  topicArn: string;
  eventBusName?: string;
}

/**
 * Runs a batch off the hub's report queue through Powertools Batch (SQS partial batch responses),
 * one record after the other. A record is believed only once SQS proves it came off the queue
 * (hub-queue.ts); a forged or malformed record is logged and dropped on purpose (it succeeds as a
 * batch item: never retried). An AWS failure fails only its own record, so SQS redelivers it and,
 * in the end, the queue's DLQ keeps it; a redelivered report is then skipped as a duplicate (its
 * applied-report mark was claimed: functions/core/fleet/claim.ts). Each full verifier run's report
 * that is applied counts one `Reports` metric.
 */
export async function runHubBatch(read: readonly ReadRecord[], deps: HubDeps): Promise<HubBatchResult> {
  const places = clusterPlaces(deps.config.clusters);
  const results: HubResult[] = [];
  const records: HubQueueRecord[] = [];
  for (const r of read) {
    if ('record' in r) records.push(r.record);
    // not an SQS record (its field names its index): no message id to answer for
    else results.push(dropped(deps.log, '', 'malformed', r.malformed.field, r.malformed.message));
  }
  const response = await processPartialResponse(
    { Records: records },
    async (record: HubQueueRecord) => {
      try {
        results.push(await applyRecord(record, places, deps));
      } catch (err) {
        deps.log.error('report failed; SQS will redeliver it', {
          messageId: record.messageId,
          error: String(err),
        });
        throw err;
      }
    },
    new BatchProcessor(EventType.SQS),
    // one after the other, in the queue's order; every record failing is still a partial response
    { processInParallel: false, throwOnFullBatchFailure: false },
  );
  return { batchItemFailures: response.batchItemFailures, results };
}

function dropped(
  log: Log,
  messageId: string,
  kind: 'malformed' | 'forged',
  field: string,
  reason: string,
): HubResult {
  log.error(`dropped a ${kind} report; it will not be retried`, { messageId, field, reason });
  // never silent: the hub alarms on any dropped report (ReportsDropped)
  writeMetrics(droppedReportMetrics());
  return { messageId, status: 'dropped', reason };
}

/** One record: proven, parsed, judged, applied. Throws only on an AWS failure (worth a retry). */
async function applyRecord(
  record: HubQueueRecord,
  places: ReturnType<typeof clusterPlaces>,
  deps: HubDeps,
): Promise<HubResult> {
  const { messageId } = record;
  const origin = await proveFromHubQueue(record, deps.queue, deps.clients.sqs);
  if ('forged' in origin) return dropped(deps.log, messageId, 'forged', 'record', origin.forged);
  let event: unknown;
  try {
    event = JSON.parse(record.body);
  } catch {
    return dropped(deps.log, messageId, 'malformed', 'body', 'is not JSON');
  }
  const read = acceptReport(event, places);
  if ('dropped' in read) return dropped(deps.log, messageId, read.dropped, read.field, read.reason);
  const { detail, account, region } = read.report;
  let result: (PublishRunResult & { skipped?: 'duplicate' | 'stale' }) | undefined;
  try {
    result = await applyReport(read.report, {
      config: deps.config,
      clients: deps.clients,
      tableName: deps.tableName,
      topicArn: deps.topicArn,
      ...(deps.eventBusName ? { eventBusName: deps.eventBusName } : {}),
      log: deps.log,
    });
  } catch (err) {
    if (err instanceof PublishRunError) result = err.result;
    throw err;
  } finally {
    // a skipped report was counted when it was applied
    if (!result?.skipped) writeMetrics(hubReportMetrics(detail.cluster, detail.verification, result));
  }
  if (result.skipped)
    return { messageId, status: 'skipped', cluster: detail.cluster, reason: result.skipped };
  deps.log.info('report applied', {
    messageId,
    cluster: detail.cluster,
    account,
    region,
    source: detail.source,
    findings: detail.findings.length,
    truncated: detail.truncated,
    notifications: result.notifications.map((n) => `${n.kind} ${n.alertKey}`),
    events: result.events,
  });
  return {
    messageId,
    status: 'done',
    cluster: detail.cluster,
    account,
    region,
    notifications: result.notifications.length,
  };
}
