import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/clients.ts';
import { silentLog } from '../../functions/core/log.ts';
import { parseConnectTo } from '../../functions/core/tls/connect-to.ts';
import { type FollowUpRequest, runFollowUp } from '../../functions/core/verify/follow-up.ts';
import { createHandler } from '../../functions/verifier/handler.ts';
import { type LoopbackGuard, startLoopbackGuard } from '../../sandbox/loopback-guard.ts';
import { type Moto, startMoto } from '../../sandbox/moto.ts';
import { createCa, issueServerCert } from '../../sandbox/pki.ts';
import { Endpoints, startSilentServer, startTlsServer } from '../../sandbox/tls-servers.ts';
import { buildWorld, CLUSTER, type World } from '../../sandbox/world.ts';
import { group } from '../support/aws-state.ts';

let moto: Moto;
let world: World;
let guard: LoopbackGuard;
const servers = new Endpoints();
const clients = createAwsClients();
const ctx = { awsRequestId: 'test', functionName: 'verifier' } as Context;
let instanceId = '';
let goodRule = '';
let hungRule = '';
let queueUrl = '';

beforeAll(async () => {
  moto = await startMoto();
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
  await moto?.stop();
});

const request = (deadlineInMs: number): FollowUpRequest => ({
  cluster: CLUSTER,
  instanceId,
  deadline: new Date(Date.now() + deadlineInMs).toISOString(),
  attempt: 1,
});

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
  it('passes when the instance is registered, healthy and serves the kops CA', async () => {
    const res = await verifierWith(goodRule, { FOLLOW_UP_QUEUE_URL: queueUrl })(
      sqsEvent([JSON.stringify(request(60_000))]),
      ctx,
    );
    expect(res).toMatchObject({ batchItemFailures: [], outcomes: [{ instanceId, result: 'passed' }] });
  });

  it('checks again later, through the queue, while the deadline has not passed', async () => {
    const res = await verifierWith(hungRule, { FOLLOW_UP_QUEUE_URL: queueUrl })(
      sqsEvent([JSON.stringify(request(60_000))]),
      ctx,
    );
    expect(res).toMatchObject({ batchItemFailures: [], outcomes: [{ instanceId, result: 'retry' }] });
    const queued = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    const next = JSON.parse(queued.Messages?.[0]?.Body ?? '{}') as FollowUpRequest;
    expect(next).toMatchObject({ cluster: CLUSTER, instanceId, attempt: 2 });
  });

  it('raises NEW_INSTANCE_NOT_VERIFIED naming what failed once the deadline has passed', async () => {
    const cluster = world.config.clusters[0];
    if (!cluster) throw new Error('no cluster');
    const out = await runFollowUp({ ...request(-1000), attempt: 7 }, cluster, {
      clients,
      log: silentLog,
      connectTo: [parseConnectTo(hungRule), guard.rule],
    });
    expect(out.kind).toBe('failed');
    if (out.kind !== 'failed') return;
    expect(out.finding).toMatchObject({
      code: 'NEW_INSTANCE_NOT_VERIFIED',
      severity: 'critical',
      resource: instanceId,
    });
    expect(out.finding.actual).toContain('TLS_TIMEOUT');
  });

  it('drops a malformed message without failing the batch, and fails only the message whose re-queue failed', async () => {
    const handler = verifierWith(hungRule, {
      FOLLOW_UP_QUEUE_URL: `${moto.endpoint}/123456789012/no-such-queue`,
    });
    const res = await handler(sqsEvent(['not json', JSON.stringify(request(60_000))]), ctx);
    expect(res).toMatchObject({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });
});
