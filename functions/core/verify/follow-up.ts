import { isIP } from 'node:net';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { discoverControlPlaneGroups, isControlPlaneInstance, isLive } from '../discovery/control-plane.ts';
import { parseFirstIssue } from '../events/parse-shape.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { describeInstances, type InstanceFacts, probeAddressOf } from '../observe/instances.ts';
import { readClusterLbs } from '../observe/lb-state.ts';
import { probeTls } from '../tls/probe.ts';
import { CHAIN_ENDED, currentAttempt, type FollowUpClaimKey } from './follow-up-claim.ts';
import { followUpSchema } from './follow-up-message.ts';
import type { FollowUpRequest } from './follow-up-start.ts';
import { caFor, probeOptions, type VerifyDeps } from './verify.ts';

/**
 * The follow-up of a newly registered instance: the verifier re-checks it (registered and
 * healthy on every load balancer, TLS to its address chains to the kops CA) until it passes or
 * its deadline passes. Each round is a delayed SQS message: a delay survives cold starts, SQS
 * bounds it at 15 minutes, and the tests can read the queue. Each launch has one chain, claimed
 * in the alert table (see follow-up-claim.ts).
 *
 * A message is only a hint: the verifier believes AWS. The instance must be a live member of a
 * control-plane group of the named configured cluster; its deadline is capped by its EC2
 * LaunchTime plus `newInstanceDeadlineMinutes`; its attempt must be the chain's current one.
 * The registrar's half (planning and starting chains) is follow-up-start.ts, so the registrar
 * bundles none of the probing.
 */
export {
  enqueueFollowUps,
  type FollowUpRequest,
  type PlannedFollowUp,
  planFollowUps,
  startFollowUps,
} from './follow-up-start.ts';

export class MalformedFollowUpError extends Error {}

/** A follow-up message is four short fields; anything longer is not one of ours. */
export const FOLLOW_UP_MAX_BYTES = 1024;
export { quotePrefix } from './follow-up-message.ts';

/**
 * The most rounds a chain can take: one per delay until the deadline, plus slack for the first
 * round and for rounds SQS delivers late. A delay of 0 (tests) counts as one second.
 */
export function maxFollowUpAttempts(verifier: {
  newInstanceDeadlineMinutes: number;
  followUpDelaySeconds: number;
}): number {
  return (
    Math.ceil((verifier.newInstanceDeadlineMinutes * 60) / Math.max(1, verifier.followUpDelaySeconds)) + 2
  );
}

export function parseFollowUp(body: string, limits: { maxAttempts: number }): FollowUpRequest {
  if (Buffer.byteLength(body) > FOLLOW_UP_MAX_BYTES) {
    throw new MalformedFollowUpError(
      `follow-up message is ${Buffer.byteLength(body)} bytes; at most ${FOLLOW_UP_MAX_BYTES} are accepted`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new MalformedFollowUpError('follow-up message body is not JSON');
  }
  const parsed = parseFirstIssue(followUpSchema(limits.maxAttempts), doc);
  if (parsed.ok) return parsed.data;
  const problem = parsed.message;
  throw new MalformedFollowUpError(
    problem.startsWith('body ') ? `follow-up message ${problem}` : `follow-up message: ${problem}`,
  );
}

/** Whether a follow-up message may be acted on, per AWS. */
export type Admission =
  | { kind: 'admitted'; claim: FollowUpClaimKey; deadline: Date; facts: InstanceFacts }
  | { kind: 'gone'; reason: string }
  | { kind: 'dropped'; reason: string };

/**
 * Checks a parsed follow-up against AWS before anything is probed: the instance is a live member
 * of a control-plane group of the cluster, its launch has a chain, and the message carries the
 * chain's current attempt. The deadline is the message's, capped by LaunchTime + deadlineMinutes.
 */
export async function admitFollowUp(
  req: FollowUpRequest,
  cluster: ClusterConfig,
  deps: { clients: AwsClients; tableName: string; deadlineMinutes: number },
): Promise<Admission> {
  const facts = (await describeInstances(deps.clients, [req.instanceId])).get(req.instanceId);
  if (!facts || facts.state === 'terminated' || facts.state === 'shutting-down') {
    return { kind: 'gone', reason: `instance ${req.instanceId} is ${facts?.state ?? 'unknown to EC2'}` };
  }
  if (!isControlPlaneInstance(facts.tags, cluster.name)) {
    return {
      kind: 'dropped',
      reason: `instance ${req.instanceId} is not tagged as a control-plane instance of ${cluster.name}`,
    };
  }
  if (!facts.launchTime) {
    return { kind: 'dropped', reason: `EC2 reports no launch time for ${req.instanceId}` };
  }
  const claim: FollowUpClaimKey = {
    cluster: cluster.name,
    instanceId: req.instanceId,
    launchTime: facts.launchTime,
  };
  const at = await currentAttempt(deps.clients, deps.tableName, claim);
  if (at === undefined) {
    return { kind: 'dropped', reason: `no follow-up was started for this launch of ${req.instanceId}` };
  }
  if (at !== req.attempt) {
    return {
      kind: 'dropped',
      reason:
        at === CHAIN_ENDED
          ? `the follow-up of ${req.instanceId} has ended (a replayed message)`
          : `the follow-up of ${req.instanceId} is at attempt ${at}, not ${req.attempt} (a replayed or duplicate message)`,
    };
  }
  const discovery = await discoverControlPlaneGroups(deps.clients, [cluster]);
  const member = (discovery.groups.get(cluster.name) ?? []).some((g) =>
    g.instances.some((i) => i.instanceId === req.instanceId && isLive(i.lifecycleState)),
  );
  if (!member) {
    return {
      kind: 'dropped',
      reason: `instance ${req.instanceId} is no live member of a control-plane group of ${cluster.name}`,
    };
  }
  const cap = facts.launchTime.getTime() + deps.deadlineMinutes * 60_000;
  return { kind: 'admitted', claim, facts, deadline: new Date(Math.min(Date.parse(req.deadline), cap)) };
}

export type FollowUpResult =
  | { kind: 'passed'; finding: Finding }
  | { kind: 'retry'; next: FollowUpRequest; problems: string[] }
  | { kind: 'failed'; finding: Finding };

/** One round of a follow-up. */
export async function runFollowUp(
  req: FollowUpRequest,
  cluster: ClusterConfig,
  deps: VerifyDeps,
  admitted: { facts: InstanceFacts; deadline: Date; maxAttempts: number },
): Promise<FollowUpResult> {
  const now = deps.now?.() ?? new Date();
  const { facts } = admitted;
  const problems: string[] = [];
  const [lbs, ca] = await Promise.all([
    readClusterLbs(deps.clients, cluster, { health: true }),
    caFor(cluster, deps.clients),
  ]);
  for (const lb of lbs) {
    const seen = lb.instances.find((i) => i.instanceId === req.instanceId);
    if (!seen) problems.push(`not registered on ${lb.label}`);
    else if (!seen.healthy) problems.push(`${seen.state} on ${lb.label}`);
  }
  // its private IPv4 address, or its IPv6 address in an IPv6-only subnet (with verifier.ipv6)
  const address = probeAddressOf(facts);
  let unjudged: string | undefined;
  if (!ca.bundle) problems.push(ca.finding.actual);
  else if (!address) problems.push('no private IP');
  // not dialled without verifier.ipv6 (it would fail from a verifier with no IPv6 egress): a
  // note, not a problem, so no false page; the scheduled run reports it as TLS_IPV6_NOT_PROBED
  else if (isIP(address) === 6 && deps.ipv6 !== true)
    unjudged = `TLS not judged (TLS_IPV6_NOT_PROBED): no private IPv4 address, only ${address}; set verifier.ipv6: true with dual-stack node subnets`;
  else {
    const probe = await probeTls(
      {
        resource: req.instanceId,
        host: address,
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
        actual: `passed on attempt ${req.attempt}${unjudged ? `; ${unjudged}` : ''}`,
        message: `new control-plane instance ${req.instanceId} verified${unjudged ? `; ${unjudged}` : ''}`,
      }),
    };
  }
  if (now.getTime() < admitted.deadline.getTime() && req.attempt < admitted.maxAttempts) {
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
