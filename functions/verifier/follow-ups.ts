import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import { verdictOf } from '../core/findings/finding.ts';
import type { Log } from '../core/log.ts';
import type { ConnectTo } from '../core/tls/connect-to.ts';
import {
  enqueueFollowUps,
  MalformedFollowUpError,
  parseFollowUp,
  runFollowUp,
} from '../core/verify/follow-up.ts';
import { type ReportTargets, reportRun } from '../shared/report.ts';

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  /** How each follow-up ended this round (Lambda ignores this; logs and local runs read it). */
  outcomes: { instanceId: string; result: 'passed' | 'retry' | 'failed' | 'gone' | 'dropped' | 'error' }[];
}

/**
 * Runs a batch of follow-ups. A malformed message is logged and dropped (never retried); an AWS
 * failure marks only its own message as failed, so SQS redelivers it and, in the end, its DLQ
 * keeps it.
 */
export async function runFollowUps(
  records: { messageId: string; body: string }[],
  deps: {
    config: SentinelConfig;
    clients: AwsClients;
    log: Log;
    targets: ReportTargets;
    now?: () => Date;
    connectTo?: readonly ConnectTo[];
  },
): Promise<BatchResult> {
  const failures: { itemIdentifier: string }[] = [];
  const outcomes: BatchResult['outcomes'] = [];
  await Promise.all(
    records.map(async (record) => {
      try {
        const req = parseFollowUp(record.body);
        const cluster = deps.config.clusters.find((c) => c.name === req.cluster);
        if (!cluster) {
          deps.log.warn('follow-up for a cluster that is no longer configured; dropped', {
            cluster: req.cluster,
          });
          return;
        }
        const result = await runFollowUp(req, cluster, {
          clients: deps.clients,
          log: deps.log,
          ...(deps.now ? { now: deps.now } : {}),
          ...(deps.connectTo ? { connectTo: deps.connectTo } : {}),
        });
        outcomes.push({ instanceId: req.instanceId, result: result.kind });
        if (result.kind === 'gone') {
          deps.log.info('follow-up ended: instance gone', {
            instanceId: req.instanceId,
            reason: result.reason,
          });
        } else if (result.kind === 'retry') {
          deps.log.info('new instance not verified yet; checking again later', {
            ...result.next,
            problems: result.problems,
          });
          if (!deps.targets.followUpQueueUrl)
            throw new Error('FOLLOW_UP_QUEUE_URL is not set; cannot schedule the next check');
          await enqueueFollowUps(
            deps.clients,
            deps.targets.followUpQueueUrl,
            [result.next],
            deps.config.verifier.followUpDelaySeconds,
          );
        } else {
          await reportRun('verifier', [verdictOf(cluster.name, [result.finding])], deps);
        }
      } catch (err) {
        if (err instanceof MalformedFollowUpError) {
          deps.log.error('dropped a malformed follow-up message', {
            messageId: record.messageId,
            problem: err.message,
          });
          return;
        }
        deps.log.error('follow-up failed; SQS will redeliver it', {
          messageId: record.messageId,
          error: String(err),
        });
        failures.push({ itemIdentifier: record.messageId });
        outcomes.push({ instanceId: '', result: 'error' });
      }
    }),
  );
  return { batchItemFailures: failures, outcomes };
}
