import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import { verdictOf } from '../core/findings/finding.ts';
import type { Log } from '../core/log.ts';
import type { ConnectTo } from '../core/tls/connect-to.ts';
import {
  admitFollowUp,
  enqueueFollowUps,
  MalformedFollowUpError,
  maxFollowUpAttempts,
  parseFollowUp,
  quotePrefix,
  runFollowUp,
} from '../core/verify/follow-up.ts';
import { advanceFollowUp, CHAIN_ENDED } from '../core/verify/follow-up-claim.ts';
import { type ReportTargets, reportRun } from '../shared/report.ts';

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  /** How each follow-up ended this round (Lambda ignores this; logs and local runs read it). */
  outcomes: { instanceId: string; result: 'passed' | 'retry' | 'failed' | 'gone' | 'dropped' | 'error' }[];
}

/**
 * Runs a batch of follow-ups. A malformed message, or one AWS does not back (see admitFollowUp),
 * is logged with a short prefix of its body and dropped (never retried, never re-queued). An AWS
 * failure marks only its own message as failed, so SQS redelivers it and, in the end, its DLQ
 * keeps it. Each round moves the launch's chain on (a conditional write) before it re-queues or
 * reports, so a second copy of a message does nothing.
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
  const { verifier } = deps.config;
  const maxAttempts = maxFollowUpAttempts(verifier);
  const drop = (record: { messageId: string; body: string }, reason: string, instanceId = '') => {
    deps.log.warn('dropped a follow-up message', {
      messageId: record.messageId,
      reason,
      body: quotePrefix(record.body, 80),
    });
    outcomes.push({ instanceId, result: 'dropped' });
  };
  await Promise.all(
    records.map(async (record) => {
      try {
        const req = parseFollowUp(record.body, { maxAttempts });
        const cluster = deps.config.clusters.find((c) => c.name === req.cluster);
        if (!cluster) return drop(record, `cluster ${quotePrefix(req.cluster)} is not configured`);
        const tableName = deps.targets.tableName;
        if (!tableName)
          return drop(record, 'ALERT_TABLE_NAME is not set; a follow-up cannot be checked against its chain');
        const admission = await admitFollowUp(req, cluster, {
          clients: deps.clients,
          tableName,
          deadlineMinutes: verifier.newInstanceDeadlineMinutes,
        });
        if (admission.kind === 'dropped') return drop(record, admission.reason, req.instanceId);
        if (admission.kind === 'gone') {
          deps.log.info('follow-up ended: instance gone', {
            instanceId: req.instanceId,
            reason: admission.reason,
          });
          outcomes.push({ instanceId: req.instanceId, result: 'gone' });
          return;
        }
        const result = await runFollowUp(
          req,
          cluster,
          {
            clients: deps.clients,
            log: deps.log,
            ...(deps.now ? { now: deps.now } : {}),
            ...(deps.connectTo ? { connectTo: deps.connectTo } : {}),
          },
          { facts: admission.facts, deadline: admission.deadline, maxAttempts },
        );
        const claim = admission.claim;
        const next = result.kind === 'retry' ? result.next.attempt : CHAIN_ENDED;
        if (!(await advanceFollowUp(deps.clients, tableName, claim, req.attempt, next)))
          return drop(record, 'another copy of this message moved the chain on', req.instanceId);
        try {
          if (result.kind === 'retry') {
            deps.log.info('new instance not verified yet; checking again later', {
              ...result.next,
              problems: result.problems,
            });
            if (!deps.targets.followUpQueueUrl)
              throw new Error('FOLLOW_UP_QUEUE_URL is not set; cannot schedule the next check');
            await enqueueFollowUps(
              deps.clients,
              deps.targets.followUpQueueUrl,
              [{ ...result.next, deadline: admission.deadline.toISOString() }],
              verifier.followUpDelaySeconds,
            );
          } else {
            await reportRun('verifier', [verdictOf(cluster.name, [result.finding])], deps);
          }
        } catch (err) {
          // give the round back, so the redelivered message can run it again
          await advanceFollowUp(deps.clients, tableName, claim, next, req.attempt).catch(() => false);
          throw err;
        }
        outcomes.push({ instanceId: req.instanceId, result: result.kind });
      } catch (err) {
        if (err instanceof MalformedFollowUpError) return drop(record, err.message);
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
