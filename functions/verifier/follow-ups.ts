import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import { clustersForEvent } from '../core/config/select.ts';
import { INSTANCE_ID } from '../core/discovery/instance-id.ts';
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

type FollowUpRecord = { messageId: string; body: string };

interface FollowUpDeps {
  config: SentinelConfig;
  clients: AwsClients;
  log: Log;
  targets: ReportTargets;
  now?: () => Date;
  connectTo?: readonly ConnectTo[];
}

/**
 * Runs a batch of follow-ups through Powertools Batch (SQS partial batch responses). A malformed
 * message, or one AWS does not back (see admitFollowUp), is logged with a short prefix of its body
 * and dropped on purpose (it succeeds as a batch item: never retried, never re-queued). An AWS
 * failure fails only its own message (a batch item failure), so SQS redelivers it and, in the
 * end, its DLQ keeps it. Each round moves the launch's chain on (a conditional write) before it
 * re-queues or reports, so a second copy of a message does nothing.
 */
export async function runFollowUps(records: FollowUpRecord[], deps: FollowUpDeps): Promise<BatchResult> {
  const outcomes: BatchResult['outcomes'] = [];
  const processor = new BatchProcessor(EventType.SQS);
  const response = await processPartialResponse(
    { Records: records },
    async (record: FollowUpRecord) => {
      try {
        outcomes.push(await followUpRound(record, deps));
      } catch (err) {
        const instanceId = instanceIdIn(record.body);
        deps.log.error('follow-up failed; SQS will redeliver it', {
          messageId: record.messageId,
          instanceId,
          error: String(err),
        });
        outcomes.push({ instanceId, result: 'error' });
        throw err;
      }
    },
    processor,
    // every message failing is still a partial response: each is retried on its own
    { throwOnFullBatchFailure: false },
  );
  return { batchItemFailures: response.batchItemFailures, outcomes };
}

type Outcome = BatchResult['outcomes'][number];

/** The instance a failed message is about, for its log line: a well-formed id, or '' (never raw text). */
function instanceIdIn(body: string): string {
  try {
    const id: unknown = (JSON.parse(body) as { instanceId?: unknown } | null)?.instanceId;
    return typeof id === 'string' && INSTANCE_ID.test(id) ? id : '';
  } catch {
    return '';
  }
}

/** The configured cluster a message names (the one cluster selection, config/select.ts). */
function configured(config: SentinelConfig, name: string) {
  const picked = clustersForEvent(config, name);
  return 'clusters' in picked ? picked.clusters[0] : undefined;
}

/** One message's round; throws only on a failure worth retrying (or a missing ALERT_TABLE_NAME). */
async function followUpRound(record: FollowUpRecord, deps: FollowUpDeps): Promise<Outcome> {
  const { verifier } = deps.config;
  const maxAttempts = maxFollowUpAttempts(verifier);
  const drop = (reason: string, instanceId = ''): Outcome => {
    deps.log.warn('dropped a follow-up message', {
      messageId: record.messageId,
      reason,
      body: quotePrefix(record.body, 80),
    });
    return { instanceId, result: 'dropped' };
  };
  let req: ReturnType<typeof parseFollowUp>;
  try {
    req = parseFollowUp(record.body, { maxAttempts });
  } catch (err) {
    if (err instanceof MalformedFollowUpError) return drop(err.message);
    throw err;
  }
  const cluster = configured(deps.config, req.cluster);
  if (!cluster) return drop(`cluster ${quotePrefix(req.cluster)} is not configured`);
  const tableName = deps.targets.tableName;
  // a deployment fault, not a bad message: fail the item, so SQS redelivers it and its DLQ keeps it
  if (!tableName)
    throw new Error('ALERT_TABLE_NAME is not set; a follow-up cannot be checked against its chain');
  const admission = await admitFollowUp(req, cluster, {
    clients: deps.clients,
    tableName,
    deadlineMinutes: verifier.newInstanceDeadlineMinutes,
  });
  if (admission.kind === 'dropped') return drop(admission.reason, req.instanceId);
  if (admission.kind === 'gone') {
    deps.log.info('follow-up ended: instance gone', { instanceId: req.instanceId, reason: admission.reason });
    return { instanceId: req.instanceId, result: 'gone' };
  }
  const result = await runFollowUp(
    req,
    cluster,
    {
      clients: deps.clients,
      log: deps.log,
      ipv6: verifier.ipv6,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.connectTo ? { connectTo: deps.connectTo } : {}),
    },
    { facts: admission.facts, deadline: admission.deadline, maxAttempts },
  );
  const claim = admission.claim;
  const next = result.kind === 'retry' ? result.next.attempt : CHAIN_ENDED;
  if (!(await advanceFollowUp(deps.clients, tableName, claim, req.attempt, next)))
    return drop('another copy of this message moved the chain on', req.instanceId);
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
    await advanceFollowUp(deps.clients, tableName, claim, next, req.attempt).catch((rollback: unknown) => {
      // the redelivered message will find the chain moved on and drop itself: say so, loudly
      deps.log.error('follow-up chain could not be given back; this launch may go unverified', {
        instanceId: req.instanceId,
        attempt: req.attempt,
        error: rollback,
      });
      return false;
    });
    throw err;
  }
  return { instanceId: req.instanceId, result: result.kind };
}
