import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { describeInstances } from '../reconcile/instances.ts';
import { probeTls } from '../tls/probe.ts';
import { readLbFacts } from './lb-facts.ts';
import { caFor, probeOptions, type VerifyDeps } from './verify.ts';

/**
 * The follow-up of a newly registered instance: the verifier re-checks it (registered and
 * healthy on every load balancer, TLS to its address chains to the kops CA) until it passes or
 * its deadline passes. Each round is a delayed SQS message: a delay survives cold starts and
 * needs no state table, SQS bounds it at 15 minutes, and the tests can read the queue.
 */
export interface FollowUpRequest {
  cluster: string;
  instanceId: string;
  /** ISO time after which a failing check becomes a NEW_INSTANCE_NOT_VERIFIED finding. */
  deadline: string;
  attempt: number;
}

export class MalformedFollowUpError extends Error {}

export function parseFollowUp(body: string): FollowUpRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new MalformedFollowUpError('follow-up message body is not JSON');
  }
  const o = (doc ?? {}) as Record<string, unknown>;
  for (const field of ['cluster', 'instanceId', 'deadline'] as const) {
    if (typeof o[field] !== 'string' || o[field] === '') {
      throw new MalformedFollowUpError(`follow-up message: ${field} must be a non-empty string`);
    }
  }
  if (Number.isNaN(Date.parse(o.deadline as string))) {
    throw new MalformedFollowUpError(
      `follow-up message: deadline "${String(o.deadline)}" is not an ISO time`,
    );
  }
  return {
    cluster: o.cluster as string,
    instanceId: o.instanceId as string,
    deadline: o.deadline as string,
    attempt: typeof o.attempt === 'number' ? o.attempt : 1,
  };
}

/** One request per newly registered instance (an instance registered on two load balancers is followed once). */
export function followUpsFor(
  registered: readonly { cluster: string; instanceId: string }[],
  now: Date,
  deadlineMinutes: number,
): FollowUpRequest[] {
  const seen = new Set<string>();
  const deadline = new Date(now.getTime() + deadlineMinutes * 60_000).toISOString();
  return registered
    .filter((r) => {
      const key = `${r.cluster}|${r.instanceId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((r) => ({ cluster: r.cluster, instanceId: r.instanceId, deadline, attempt: 1 }));
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

export type FollowUpResult =
  | { kind: 'passed'; finding: Finding }
  | { kind: 'retry'; next: FollowUpRequest; problems: string[] }
  | { kind: 'failed'; finding: Finding }
  | { kind: 'gone'; reason: string };

/** One round of a follow-up. */
export async function runFollowUp(
  req: FollowUpRequest,
  cluster: ClusterConfig,
  deps: VerifyDeps,
): Promise<FollowUpResult> {
  const now = deps.now?.() ?? new Date();
  const facts = (await describeInstances(deps.clients, [req.instanceId])).get(req.instanceId);
  if (!facts || facts.state === 'terminated' || facts.state === 'shutting-down') {
    return { kind: 'gone', reason: `instance ${req.instanceId} is ${facts?.state ?? 'unknown to EC2'}` };
  }
  const problems: string[] = [];
  const [lbs, ca] = await Promise.all([readLbFacts(deps.clients, cluster), caFor(cluster, deps.clients)]);
  for (const lb of lbs) {
    const seen = lb.instances.find((i) => i.instanceId === req.instanceId);
    if (!seen) problems.push(`not registered on ${lb.label}`);
    else if (!seen.healthy) problems.push(`${seen.state} on ${lb.label}`);
  }
  if (!ca.bundle) problems.push(ca.finding.actual);
  else if (!facts.privateIp) problems.push('no private IP');
  else {
    const probe = await probeTls(
      {
        resource: req.instanceId,
        host: facts.privateIp,
        port: cluster.api.instancePort,
        servername: cluster.api.hostname,
      },
      ca.bundle,
      probeOptions(cluster, deps),
    );
    if (probe.code !== 'TLS_OK' && probe.code !== 'TLS_CERT_EXPIRING')
      problems.push(`${probe.code}: ${probe.reason}`);
  }
  const common = {
    cluster: cluster.name,
    resource: req.instanceId,
    expected: 'registered, healthy, and serving a certificate from the kops CA',
  };
  if (problems.length === 0) {
    return {
      kind: 'passed',
      finding: finding('NEW_INSTANCE_VERIFIED', {
        ...common,
        actual: `passed on attempt ${req.attempt}`,
        message: `new control-plane instance ${req.instanceId} verified`,
      }),
    };
  }
  if (now.getTime() < Date.parse(req.deadline)) {
    return { kind: 'retry', next: { ...req, attempt: req.attempt + 1 }, problems };
  }
  return {
    kind: 'failed',
    finding: finding('NEW_INSTANCE_NOT_VERIFIED', {
      ...common,
      actual: problems.join('; '),
      message: `new control-plane instance ${req.instanceId} still fails after ${req.attempt} attempt(s): ${problems.join('; ')}`,
    }),
  };
}
