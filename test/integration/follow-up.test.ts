import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateQueueCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { silentLog } from '../../functions/core/log.ts';
import { describeInstances } from '../../functions/core/observe/instances.ts';
import { parseConnectTo } from '../../functions/core/tls/connect-to.ts';
import {
  type FollowUpRequest,
  planFollowUps,
  runFollowUp,
  startFollowUps,
} from '../../functions/core/verify/follow-up.ts';
import { createHandler } from '../../functions/verifier/handler.ts';
import { createAlertTable } from '../../sandbox/local-alerting.ts';
import { type LoopbackGuard, startLoopbackGuard } from '../../sandbox/loopback-guard.ts';
import { createCa, issueServerCert } from '../../sandbox/pki.ts';
import { Endpoints, startSilentServer, startTlsServer } from '../../sandbox/tls-servers.ts';
import { buildWorld, CLUSTER, type World } from '../../sandbox/world.ts';
import { group } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

const moto = withMoto();
let world: World;
let guard: LoopbackGuard;
const servers = new Endpoints();
const clients = createAwsClients();
const ctx = { awsRequestId: 'test', functionName: 'verifier' } as Context;
let instanceId = '';
let goodRule = '';
let hungRule = '';
let queueUrl = '';
let tables = 0;

beforeAll(async () => {
  guard = await startLoopbackGuard();
  const ca = await createCa('kubernetes-ca');
  const cert = await issueServerCert(ca, { dns: [`api.internal.${CLUSTER}`] });
  world = await buildWorld(clients, {
    controlPlaneGroups: 1,
    clusterConfig: { ca: { source: 'inline', pem: ca.certPem }, tls: { timeoutSeconds: 0.5 } },
    sentinelConfig: { verifier: { followUpDelaySeconds: 0 } },
  });
  instanceId = (await group(clients, world.groups[0] ?? '')).liveInstanceIds[0] ?? '';
  const res = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const ip = res.Reservations?.[0]?.Instances?.[0]?.PrivateIpAddress ?? '';
  const good = servers.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem }));
  const hung = servers.add(await startSilentServer());
  goodRule = `${ip}:443:127.0.0.1:${good.port}`;
  hungRule = `${ip}:443:127.0.0.1:${hung.port}`;
  queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'follow-ups' }))).QueueUrl ?? '';
});
afterAll(async () => {
  await servers.closeAll();
  await guard?.close();
});

/**
 * Starts the instance's follow-up chain as the registrar does (a fresh alert table each time, so
 * every test has its own chain) and takes its first message off the queue.
 */
async function startChain(): Promise<{ env: NodeJS.ProcessEnv; body: string }> {
  const tableName = `alerts-${++tables}`;
  await createAlertTable(clients, tableName);
  await clients.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  const planned = await planFollowUps(clients, [{ cluster: CLUSTER, instanceId }], 15);
  await startFollowUps(clients, { queueUrl, tableName }, planned, 0);
  const body = (await receive())[0] ?? '';
  return { env: { FOLLOW_UP_QUEUE_URL: queueUrl, ALERT_TABLE_NAME: tableName }, body };
}

async function receive(): Promise<string[]> {
  const res = await clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (res.Messages ?? []).map((m) => m.Body ?? '');
}

function verifierWith(rule: string, env: NodeJS.ProcessEnv) {
  return createHandler(
    () => ({ config: world.config, clients, connectTo: [parseConnectTo(rule), guard.rule] }),
    env,
  );
}

const sqsEvent = (bodies: string[]) => ({
  Records: bodies.map((body, i) => ({ eventSource: 'aws:sqs', messageId: `m${i}`, body })),
});

describe('follow-up of a new instance (delayed SQS messages)', () => {
  it('passes when the instance is registered, healthy and serves the kops CA; the message then means nothing', async () => {
    const { env, body } = await startChain();
    const first = JSON.parse(body) as FollowUpRequest;
    const launch = (await describeInstances(clients, [instanceId])).get(instanceId)?.launchTime;
    // the deadline is the launch time (per EC2) plus newInstanceDeadlineMinutes
    expect(first).toEqual({
      cluster: CLUSTER,
      instanceId,
      attempt: 1,
      deadline: new Date((launch?.getTime() ?? 0) + 15 * 60_000).toISOString(),
    });
    const res = await verifierWith(goodRule, env)(sqsEvent([body]), ctx);
    expect(res).toMatchObject({ batchItemFailures: [], outcomes: [{ instanceId, result: 'passed' }] });
    const again = await verifierWith(goodRule, env)(sqsEvent([body]), ctx);
    expect(again).toMatchObject({ batchItemFailures: [], outcomes: [{ instanceId, result: 'dropped' }] });
  });

  it('checks again later, through the queue, while the deadline has not passed', async () => {
    const { env, body } = await startChain();
    const res = await verifierWith(hungRule, env)(sqsEvent([body]), ctx);
    expect(res).toMatchObject({ batchItemFailures: [], outcomes: [{ instanceId, result: 'retry' }] });
    const queued = await receive();
    expect(queued).toHaveLength(1);
    const next = JSON.parse(queued[0] ?? '{}') as FollowUpRequest;
    expect(next).toMatchObject({ cluster: CLUSTER, instanceId, attempt: 2 });
    expect(next.deadline).toBe((JSON.parse(body) as FollowUpRequest).deadline);
  });

  it('raises NEW_INSTANCE_NOT_VERIFIED naming what failed once the deadline has passed', async () => {
    const cluster = world.config.clusters[0];
    if (!cluster) throw new Error('no cluster');
    const facts = (await describeInstances(clients, [instanceId])).get(instanceId);
    if (!facts) throw new Error('no instance');
    const req: FollowUpRequest = { cluster: CLUSTER, instanceId, deadline: '', attempt: 7 };
    const out = await runFollowUp(
      req,
      cluster,
      { clients, log: silentLog, connectTo: [parseConnectTo(hungRule), guard.rule] },
      { facts, deadline: new Date(Date.now() - 1000), maxAttempts: 17 },
    );
    expect(out.kind).toBe('failed');
    if (out.kind !== 'failed') return;
    expect(out.finding).toMatchObject({
      code: 'NEW_INSTANCE_NOT_VERIFIED',
      severity: 'critical',
      resource: instanceId,
    });
    expect(out.finding.actual).toContain('TLS_TIMEOUT');
  });

  it('an IPv6-only instance: not dialled without verifier.ipv6 (passes on the rest, saying why TLS was not judged); dialled with it', async () => {
    const cluster = world.config.clusters[0];
    if (!cluster) throw new Error('no cluster');
    const facts = (await describeInstances(clients, [instanceId])).get(instanceId);
    if (!facts) throw new Error('no instance');
    const { privateIp: _, ...rest } = facts;
    const v6Only = { ...rest, ipv6: 'fd00:ec2:0:a::5' };
    const run = (ipv6: boolean) =>
      runFollowUp(
        { cluster: CLUSTER, instanceId, deadline: '', attempt: 1 },
        cluster,
        { clients, log: silentLog, ipv6, connectTo: [guard.rule] },
        { facts: v6Only, deadline: new Date(Date.now() + 60_000), maxAttempts: 17 },
      );
    const off = await run(false);
    expect(off.kind).toBe('passed');
    if (off.kind !== 'passed') return;
    expect(off.finding.actual).toContain('TLS_IPV6_NOT_PROBED');
    expect(off.finding.actual).toContain('set verifier.ipv6: true');
    // with verifier.ipv6 its IPv6 address is dialled (here: the loopback guard, which resets)
    const on = await run(true);
    expect(on.kind).toBe('retry');
    if (on.kind !== 'retry') return;
    expect(on.problems.join('; ')).toContain('TLS_CONNECTION_RESET');
  });

  it('ends the chain at its last attempt even before the deadline', async () => {
    const cluster = world.config.clusters[0];
    if (!cluster) throw new Error('no cluster');
    const facts = (await describeInstances(clients, [instanceId])).get(instanceId);
    if (!facts) throw new Error('no instance');
    const out = await runFollowUp(
      { cluster: CLUSTER, instanceId, deadline: '', attempt: 17 },
      cluster,
      { clients, log: silentLog, connectTo: [parseConnectTo(hungRule), guard.rule] },
      { facts, deadline: new Date(Date.now() + 60_000), maxAttempts: 17 },
    );
    expect(out.kind).toBe('failed');
  });

  it('drops a malformed message without failing the batch; a failed re-queue fails its message and gives the round back', async () => {
    const { env, body } = await startChain();
    const broken = verifierWith(hungRule, {
      ...env,
      FOLLOW_UP_QUEUE_URL: `${moto().endpoint}/123456789012/no-such-queue`,
    });
    const res = await broken(sqsEvent(['not json', body]), ctx);
    expect(res).toMatchObject({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    // SQS redelivers the message: the round runs again and the next check is queued
    const redelivered = await verifierWith(hungRule, env)(sqsEvent([body]), ctx);
    expect(redelivered).toMatchObject({ outcomes: [{ instanceId, result: 'retry' }] });
    expect(await receive()).toHaveLength(1);
  });
});
