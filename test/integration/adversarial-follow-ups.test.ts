import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { silentLog } from '../../functions/core/log.ts';
import { describeInstances } from '../../functions/core/observe/instances.ts';
import { type ConnectTo, parseConnectTo } from '../../functions/core/tls/connect-to.ts';
import {
  admitFollowUp,
  type FollowUpRequest,
  maxFollowUpAttempts,
} from '../../functions/core/verify/follow-up.ts';
import { createHandler as createRegistrar } from '../../functions/registrar/handler.ts';
import { reportTargets } from '../../functions/shared/report.ts';
import { type BatchResult, runFollowUps } from '../../functions/verifier/follow-ups.ts';
import { createHandler as createVerifier } from '../../functions/verifier/handler.ts';
import { autoScalingEvent } from '../../sandbox/events.ts';
import { createLocalAlerting, type LocalAlerting } from '../../sandbox/local-alerting.ts';
import { createCa } from '../../sandbox/pki.ts';
import { buildWorld, CLUSTER, OTHER_CLUSTER, type World } from '../../sandbox/world.ts';
import { classicInstances, group, targets } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * Follow-up messages from someone other than the sentinel: forged, oversized, replayed. None may
 * change anything in the local AWS (registrations, alert table, alerts, queue) or queue another
 * message. And however many copies of a launch event arrive, one chain starts.
 */
const _moto = withMoto();
let world: World;
let alerting: LocalAlerting;
/** Every TLS probe lands here (a catch-all connect-to rule): it counts connections and closes them. */
let probes: Server;
let probed = 0;
let probeRule: ConnectTo;
const clients = createAwsClients();
const ctx = { awsRequestId: 'test', functionName: 'verifier' } as Context;
let cpId = '';
let workerId = '';
let orphanId = '';
/** The first message of the chain the launch events start. */
let firstMessage = '';

beforeAll(async () => {
  probes = createServer((socket) => {
    probed += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => probes.listen(0, '127.0.0.1', resolve));
  probeRule = parseConnectTo(`::127.0.0.1:${(probes.address() as AddressInfo).port}`);
  const ca = await createCa('kubernetes-ca');
  world = await buildWorld(clients, {
    controlPlaneGroups: 1,
    otherCluster: true,
    clusterConfig: { ca: { source: 'inline', pem: ca.certPem }, tls: { timeoutSeconds: 0.5 } },
    sentinelConfig: { verifier: { followUpDelaySeconds: 0 } },
  });
  alerting = await createLocalAlerting(clients);
  cpId = (await group(clients, world.groups[0] ?? '')).liveInstanceIds[0] ?? '';
  workerId = (await group(clients, world.nodeGroup)).liveInstanceIds[0] ?? '';
  // tagged like a control-plane instance of the cluster, but in no group
  const image = (await clients.ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
  const run = await clients.ec2.send(
    new RunInstancesCommand({
      ImageId: image ?? 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: world.subnetIds[0],
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'KubernetesCluster', Value: CLUSTER },
            { Key: `kubernetes.io/cluster/${CLUSTER}`, Value: 'owned' },
            { Key: 'k8s.io/role/control-plane', Value: '1' },
            { Key: 'k8s.io/role/master', Value: '1' },
          ],
        },
      ],
    }),
  );
  orphanId = run.Instances?.[0]?.InstanceId ?? '';
  if (!cpId || !workerId || !orphanId) throw new Error('the world lacks an instance');
});
afterAll(async () => {
  await new Promise<void>((resolve) => (probes ? probes.close(() => resolve()) : resolve()));
});
beforeEach(async () => {
  await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: alerting.followUpQueueUrl }));
});

const verifier = () =>
  createVerifier(() => ({ config: world.config, clients, connectTo: [probeRule] }), alerting.env);
const registrar = () => createRegistrar(() => ({ config: world.config, clients }), alerting.env);

async function run(bodies: string[]): Promise<BatchResult> {
  return (await verifier()(
    { Records: bodies.map((body, i) => ({ eventSource: 'aws:sqs', messageId: `m${i}`, body })) },
    ctx,
  )) as BatchResult;
}

async function queued(): Promise<number> {
  const res = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: alerting.followUpQueueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  return Object.values(res.Attributes ?? {}).reduce((n, v) => n + Number(v), 0);
}

async function receiveAll(): Promise<FollowUpRequest[]> {
  const out: FollowUpRequest[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: alerting.followUpQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    if (!res.Messages?.length) break;
    out.push(...res.Messages.map((m) => JSON.parse(m.Body ?? '{}') as FollowUpRequest));
  }
  return out;
}

/** Everything a follow-up could change, read from the local AWS directly. */
async function snapshot() {
  const table = await clients.dynamodb.send(new ScanCommand({ TableName: alerting.tableName }));
  return {
    classic: await classicInstances(clients, world.lbs.classicName),
    targets: await targets(clients, world.lbs.targetGroupArn),
    table: (table.Items ?? []).map((i) => JSON.stringify(i)).sort(),
    alerts: (
      await clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: alerting.alertQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      )
    ).Attributes,
    followUps: await queued(),
  };
}

const far = '2099-01-01T00:00:00.000Z';
const msg = (o: Record<string, unknown>) =>
  JSON.stringify({ cluster: CLUSTER, instanceId: cpId, deadline: far, attempt: 1, ...o });

describe('forged follow-up messages', () => {
  it('change nothing and queue nothing, whatever they claim', async () => {
    const before = await snapshot();
    probed = 0;
    const forged = [
      msg({}), // a real control-plane instance, but no chain was ever started for it
      msg({ attempt: -1 }),
      msg({ attempt: 0 }),
      msg({ attempt: 1.5 }),
      msg({ attempt: 1_000_000 }),
      msg({ attempt: '1' }),
      msg({ instanceId: 'i-../../etc' }),
      msg({ instanceId: workerId }), // a worker of the cluster
      msg({ instanceId: orphanId }), // tagged control-plane, member of no group
      msg({ cluster: OTHER_CLUSTER }), // not configured
      msg({ cluster: 'x'.repeat(200) }),
      msg({ deadline: 'tomorrow' }),
      msg({ extra: true }),
      msg({ padding: 'x'.repeat(10_000) }), // oversized
      '[]',
      'null',
      'not json',
    ];
    const res = await run(forged);
    expect(res.batchItemFailures).toEqual([]);
    expect(res.outcomes).toHaveLength(forged.length);
    expect(res.outcomes.every((o) => o.result === 'dropped')).toBe(true);
    expect(await snapshot()).toEqual(before);
    expect(probed).toBe(0);
  });

  it('about an instance EC2 does not know, ends as gone and changes nothing', async () => {
    const before = await snapshot();
    const res = await run([msg({ instanceId: 'i-0123456789abcdef0' })]);
    expect(res.outcomes).toEqual([{ instanceId: 'i-0123456789abcdef0', result: 'gone' }]);
    expect(await snapshot()).toEqual(before);
  });

  it('bounds attempts by the deadline and the delay', () => {
    expect(maxFollowUpAttempts({ newInstanceDeadlineMinutes: 15, followUpDelaySeconds: 60 })).toBe(17);
  });
});

describe('a verifier deployed without ALERT_TABLE_NAME', () => {
  it('fails each well-formed message (SQS redelivers it, its DLQ keeps it), naming the variable, and still drops a malformed one', async () => {
    const before = await snapshot();
    probed = 0;
    const errors: string[] = [];
    const log = {
      ...silentLog,
      error: (_m: string, extra?: Record<string, unknown>) => errors.push(String(extra?.error)),
    };
    const { ALERT_TABLE_NAME: _table, ...env } = alerting.env;
    const res = await runFollowUps(
      [msg({}), 'not json'].map((body, i) => ({ messageId: `m${i}`, body })),
      { config: world.config, clients, log, targets: reportTargets(env), connectTo: [probeRule] },
    );
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(res.outcomes.map((o) => o.result).sort()).toEqual(['dropped', 'error']);
    // the failed message's outcome (and log line) names its instance
    const failed = res.outcomes.find((o) => o.result === 'error');
    expect(failed?.instanceId).toBe((JSON.parse(msg({})) as { instanceId: string }).instanceId);
    expect(failed?.instanceId).toMatch(/^i-/);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('ALERT_TABLE_NAME is not set');
    expect(await snapshot()).toEqual(before);
    expect(probed).toBe(0);
  });
});

describe('one chain per launch', () => {
  it('duplicate launch events and a lifecycle event queue exactly one follow-up', async () => {
    const g = world.groups[0] ?? '';
    const launch = autoScalingEvent('EC2 Instance Launch Successful', g, cpId);
    for (const event of [
      launch,
      launch, // the same event delivered twice
      autoScalingEvent('EC2 Instance Launch Successful', g, cpId), // a copy with another id
      autoScalingEvent('EC2 Instance-launch Lifecycle Action', g, cpId, { LifecycleHookName: 'theirs' }),
    ]) {
      await registrar()(event, { awsRequestId: 'r', functionName: 'registrar' } as Context);
    }
    const messages = await receiveAll();
    expect(messages.filter((m) => m.instanceId === cpId)).toHaveLength(1);
    expect(messages).toHaveLength(1);
    firstMessage = JSON.stringify(messages[0]);
  });

  it('a replayed message does not re-queue; the chain moves on once', async () => {
    expect(firstMessage).not.toBe('');
    // the probe server closes every connection, so the round fails and the chain moves to attempt 2
    probed = 0;
    const round1 = await run([firstMessage]);
    expect(round1.outcomes).toEqual([{ instanceId: cpId, result: 'retry' }]);
    expect(probed).toBeGreaterThan(0);
    probed = 0;
    const next = await receiveAll();
    expect(next).toHaveLength(1);
    expect(next[0]?.attempt).toBe(2);
    const before = await snapshot();
    const forgedFar = msg({ attempt: 1 });
    const replays = await run([firstMessage, firstMessage, forgedFar, msg({ attempt: 3 })]);
    expect(replays.outcomes.map((o) => o.result)).toEqual(['dropped', 'dropped', 'dropped', 'dropped']);
    expect(await snapshot()).toEqual(before);
    expect(probed).toBe(0);
  });

  it('caps a message deadline by LaunchTime + newInstanceDeadlineMinutes', async () => {
    const cluster = world.config.clusters[0];
    if (!cluster) throw new Error('no cluster');
    const launchTime = (await describeInstances(clients, [cpId])).get(cpId)?.launchTime?.getTime() ?? 0;
    const admission = await admitFollowUp(
      { cluster: CLUSTER, instanceId: cpId, deadline: far, attempt: 2 },
      cluster,
      { clients, tableName: alerting.tableName, deadlineMinutes: 15 },
    );
    expect(admission.kind).toBe('admitted');
    if (admission.kind !== 'admitted') return;
    expect(admission.deadline.getTime()).toBe(launchTime + 15 * 60_000);
  });
});
