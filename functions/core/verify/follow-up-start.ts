import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients.ts';
import { describeInstances } from '../observe/instances.ts';
import { claimFollowUp, type FollowUpClaimKey, releaseFollowUp } from './follow-up-claim.ts';

/**
 * The registrar's half of a follow-up: plan one chain per newly registered instance, claim it,
 * queue its first message. The verifier's half (admitting and running a round) is follow-up.ts.
 */
export interface FollowUpRequest {
  cluster: string;
  instanceId: string;
  /** ISO time after which a failing check becomes a NEW_INSTANCE_NOT_VERIFIED finding. */
  deadline: string;
  attempt: number;
}

/** A follow-up the registrar is about to start: its first message and the launch its chain belongs to. */
export interface PlannedFollowUp {
  request: FollowUpRequest;
  claim: FollowUpClaimKey;
}

/**
 * One follow-up per newly registered instance (an instance registered on two load balancers is
 * followed once). The deadline is the instance's EC2 LaunchTime plus `deadlineMinutes`; an
 * instance EC2 does not report as running with a launch time is not followed.
 */
export async function planFollowUps(
  clients: AwsClients,
  registered: readonly { cluster: string; instanceId: string }[],
  deadlineMinutes: number,
): Promise<PlannedFollowUp[]> {
  const seen = new Set<string>();
  const unique = registered.filter((r) => {
    const key = `${r.cluster}|${r.instanceId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length === 0) return [];
  const facts = await describeInstances(
    clients,
    unique.map((r) => r.instanceId),
  );
  const out: PlannedFollowUp[] = [];
  for (const r of unique) {
    const f = facts.get(r.instanceId);
    if (!f?.launchTime || (f.state !== 'running' && f.state !== 'pending')) continue;
    const deadline = new Date(f.launchTime.getTime() + deadlineMinutes * 60_000);
    out.push({
      request: { cluster: r.cluster, instanceId: r.instanceId, deadline: deadline.toISOString(), attempt: 1 },
      claim: { cluster: r.cluster, instanceId: r.instanceId, launchTime: f.launchTime },
    });
  }
  return out;
}

/**
 * Starts the chains of planned follow-ups: claims each launch, and queues the first message of
 * every chain it claimed. A launch claimed before (a duplicate event, a retried run) queues
 * nothing. When queueing fails the claims are given back and the error thrown, so the retried
 * run starts them.
 */
export async function startFollowUps(
  clients: Pick<AwsClients, 'sqs' | 'dynamodb'>,
  targets: { queueUrl: string; tableName: string },
  planned: readonly PlannedFollowUp[],
  delaySeconds: number,
): Promise<{ started: string[]; alreadyStarted: string[] }> {
  const claimed: PlannedFollowUp[] = [];
  const alreadyStarted: string[] = [];
  for (const p of planned) {
    if (await claimFollowUp(clients, targets.tableName, p.claim, new Date(p.request.deadline)))
      claimed.push(p);
    else alreadyStarted.push(p.request.instanceId);
  }
  try {
    await enqueueFollowUps(
      clients,
      targets.queueUrl,
      claimed.map((p) => p.request),
      delaySeconds,
    );
  } catch (err) {
    await Promise.all(
      claimed.map((p) => releaseFollowUp(clients, targets.tableName, p.claim).catch(() => undefined)),
    );
    throw err;
  }
  return { started: claimed.map((p) => p.request.instanceId), alreadyStarted };
}

/** Sends follow-ups as delayed messages, ten per call; failed entries throw, so the caller's run is retried. */
export async function enqueueFollowUps(
  clients: Pick<AwsClients, 'sqs'>,
  queueUrl: string,
  requests: readonly FollowUpRequest[],
  delaySeconds: number,
): Promise<void> {
  for (let i = 0; i < requests.length; i += 10) {
    const batch = requests.slice(i, i + 10);
    const res = await clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((r, j) => ({
          Id: String(j),
          MessageBody: JSON.stringify(r),
          DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
        })),
      }),
    );
    if (res.Failed && res.Failed.length > 0) {
      throw new Error(
        `could not queue ${res.Failed.length} follow-up(s): ${res.Failed.map((f) => f.Code).join(', ')}`,
      );
    }
  }
}
