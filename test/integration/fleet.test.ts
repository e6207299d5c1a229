import { ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  ConfigureHealthCheckCommand,
  DeleteLoadBalancerListenersCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import {
  DeleteMessageCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  type FindingsReportedDetail,
} from '../../functions/core/alerts/events.ts';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import type { Finding } from '../../functions/core/findings/finding.ts';
import { finding } from '../../functions/core/findings/make.ts';
import { findingsReports } from '../../functions/core/fleet/report.ts';
import { createHandler as createHub, type HubBatchResult } from '../../functions/hub/handler.ts';
import { createHandler as createNotifier } from '../../functions/notifier/handler.ts';
import { createHandler as createRegistrar } from '../../functions/registrar/handler.ts';
import { createHandler as createVerifier } from '../../functions/verifier/handler.ts';
import { accountClients } from '../../sandbox/accounts.ts';
import { autoScalingEvent } from '../../sandbox/events.ts';
import { buildFleet, type Fleet, REPORT_PATTERN } from '../../sandbox/fleet.ts';
import { replaceClassicListener } from '../../sandbox/kops-account.ts';
import { drain, snsEvent } from '../../sandbox/local-alerting.ts';
import { createCa, issueServerCert } from '../../sandbox/pki.ts';
import { deliverQueue } from '../../sandbox/queue-delivery.ts';
import { type SlackStandIn, startSlackStandIn } from '../../sandbox/rehearsal/slack.ts';
import { StandIns } from '../../sandbox/rehearsal/stand-ins.ts';
import { group } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

const A = { account: '111111111111', region: 'eu-west-1', cluster: 'dev.a.example.com' };
const B = { account: '222222222222', region: 'us-east-2', cluster: 'prod.b.example.com' };
const HUB = { account: '999999999999', region: 'eu-central-1' };
const CONTEXT = { awsRequestId: 'fleet', functionName: 'fleet' } as Context;

withMoto();
let fleet: Fleet;
let slack: SlackStandIn;
const standIns: StandIns[] = [];

beforeAll(async () => {
  slack = await startSlackStandIn();
  const kopsCa = await createCa('kubernetes-ca');
  const serving = await issueServerCert(kopsCa, {
    dns: [A, B].flatMap((m) => [`api.internal.${m.cluster}`, `api.${m.cluster}`]).concat(['kubernetes']),
    ips: ['127.0.0.1'],
  });
  const acmLike = await issueServerCert(await createCa('Amazon RSA 2048 M03'), { dns: ['api.example.com'] });
  fleet = await buildFleet({
    members: [A, B],
    hub: HUB,
    clusterConfig: { ca: { source: 'inline', pem: kopsCa.certPem }, tls: { timeoutSeconds: 2 } },
    alerts: { fireAfterFailures: 1, resolveAfterPasses: 1 },
    verifier: { followUpDelaySeconds: 0 },
    slackUrl: slack.url,
  });
  for (const m of fleet.members) {
    const s = new StandIns(m.clients, serving, acmLike);
    await s.start(m.world.lbs.classicName, m.world.lbs.nlbArn);
    await s.sync(m.world.groups);
    standIns.push(s);
  }
}, 120_000);
afterAll(async () => {
  for (const s of standIns) await s.close();
  await slack?.close();
});

/** A member's runtime as its deployed functions get it, reaching its instances through its stand-ins. */
function memberRuntime(i: number) {
  const m = fleet.members[i] as Fleet['members'][number];
  const s = standIns[i] as StandIns;
  const cluster = m.config.clusters[0];
  if (!cluster) throw new Error('member without a cluster');
  return () => ({ config: m.config, clients: m.clients, connectTo: s.rules(443, cluster.api.hostname) });
}

/** A member's verifier, with its environment (or another). */
const memberVerifier = (
  i: number,
  env: NodeJS.ProcessEnv = (fleet.members[i] as Fleet['members'][number]).env,
) => createVerifier(memberRuntime(i), env);

/** One scheduled verifier run in every member, then whatever reached the hub through to Slack. */
async function round() {
  for (const i of fleet.members.keys()) await memberVerifier(i)({ action: 'verify' }, CONTEXT);
  const { bodies, results } = await deliverToHub();
  const envelopes = bodies.map(
    (b) => JSON.parse(b) as { account: string; region: string; detail: { cluster: string } },
  );
  const notifier = createNotifier({
    secrets: fleet.hub.clients.secrets,
    secretName: fleet.hub.alerting.secretName,
    allowInsecureLocalSlack: true,
  });
  const before = slack.received.length;
  const alerts = (
    await drain(fleet.hub.clients, fleet.hub.alerting.alertQueueUrl, async (batch) => {
      for (const b of batch) await notifier(snsEvent(b.body, fleet.hub.alerting.topicArn), CONTEXT);
    })
  ).map((b) => JSON.parse(b) as MachineAlert);
  return { envelopes, results, alerts, slack: slack.received.slice(before) };
}

const hubQueue = () => ({ url: fleet.hub.reportsQueueUrl, arn: fleet.hub.reportsQueueArn });
const hubHandler = (env: NodeJS.ProcessEnv = fleet.hub.env) =>
  createHub(() => ({ config: fleet.config, clients: fleet.hub.clients }), env);

/** What is on the hub's report queue, to the hub function as Lambda's event source mapping hands it over. */
async function deliverToHub(hub = hubHandler()) {
  const { bodies, answers } = await deliverQueue(fleet.hub.clients, hubQueue(), (e) => hub(e, CONTEXT));
  const batches = answers.map((a) => a as HubBatchResult);
  return { bodies, batches, results: batches.flatMap((a) => a.results) };
}

/** A report event as EventBridge stamps it for a member (the hub's bus delivers it to the queue). */
function envelope(from: { account: string; region: string; cluster: string }, findings: Finding[]) {
  const [detail] = findingsReports(
    'verifier',
    [{ cluster: from.cluster, inSync: findings.length === 0, findings }],
    {
      now: new Date(),
      verification: false,
    },
  );
  return {
    'detail-type': DETAIL_TYPES.findingsReported,
    source: EVENT_SOURCE,
    account: from.account,
    region: from.region,
    detail,
  };
}

const notAttached = (cluster: string, resource: string): Finding =>
  finding('LB_NOT_ATTACHED', {
    cluster,
    resource,
    expected: 'attached',
    actual: 'detached',
    message: 'not attached',
  });

/** A message on the hub's report queue, standing in for the hub rule's delivery; its message id. */
async function sendToHubQueue(body: unknown): Promise<string> {
  const res = await fleet.hub.clients.sqs.send(
    new SendMessageCommand({ QueueUrl: hubQueue().url, MessageBody: JSON.stringify(body) }),
  );
  return res.MessageId ?? '';
}

const memberA = () => fleet.members[0] as Fleet['members'][number];
const memberB = () => fleet.members[1] as Fleet['members'][number];

const HEALTH_CHECK = { Interval: 10, Timeout: 5, HealthyThreshold: 2, UnhealthyThreshold: 2 };

async function classicHealthCheck(target: string): Promise<void> {
  const m = memberA();
  await m.clients.elb.send(
    new ConfigureHealthCheckCommand({
      LoadBalancerName: m.world.lbs.classicName,
      HealthCheck: { ...HEALTH_CHECK, Target: target },
    }),
  );
}

async function originalHealthCheck(): Promise<string> {
  const m = memberA();
  const res = await m.clients.elb.send(
    new DescribeLoadBalancersCommand({ LoadBalancerNames: [m.world.lbs.classicName] }),
  );
  return res.LoadBalancerDescriptions?.[0]?.HealthCheck?.Target ?? '';
}

/** Every text a Slack message carries (fallback text and blocks). */
const slackText = (message: unknown): string => JSON.stringify(message);

/** Puts a report on a bus in the given account, as a member's verifier would. */
async function putReport(
  clients: Fleet['hub']['clients'],
  bus: string,
  detail: FindingsReportedDetail,
): Promise<void> {
  const res = await clients.eventbridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: bus,
          Source: EVENT_SOURCE,
          DetailType: DETAIL_TYPES.findingsReported,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  expect(res.FailedEntryCount ?? 0).toBe(0);
}

describe('a fleet: two member accounts in two regions, one hub', () => {
  let healthCheck = '';

  it('a healthy fleet: every report reaches the hub stamped with its own account and region, and nothing alerts', async () => {
    healthCheck = await originalHealthCheck();
    const r = await round();
    // moto delivers bus to bus as AWS does only with the launcher's patch (sandbox/moto.ts)
    expect(r.envelopes.map((e) => [e.account, e.region, e.detail.cluster]).sort()).toEqual([
      [A.account, A.region, A.cluster],
      [B.account, B.region, B.cluster],
    ]);
    expect(r.results).toEqual([
      expect.objectContaining({ status: 'done', notifications: 0 }),
      expect.objectContaining({ status: 'done', notifications: 0 }),
    ]);
    expect(r.alerts).toEqual([]);
    expect(r.slack).toEqual([]);
  }, 120_000);

  it('one broken cluster in each member: one alert per cause reaches the one Slack, naming account and region', async () => {
    await classicHealthCheck('TCP:22');
    await memberB().clients.elb.send(
      new DeleteLoadBalancerListenersCommand({
        LoadBalancerName: memberB().world.lbs.classicName,
        LoadBalancerPorts: [443],
      }),
    );
    const r = await round();
    const fired = r.alerts.filter((a) => a.kind === 'fire');
    expect(fired.map((a) => [a.cluster, a.code, a.account, a.region]).sort()).toEqual([
      [A.cluster, 'HEALTH_CHECK_MISMATCH', A.account, A.region],
      [B.cluster, 'LISTENER_MISSING', B.account, B.region],
    ]);
    expect(r.alerts).toHaveLength(2);
    expect(r.slack).toHaveLength(2);
    const texts = r.slack.map(slackText);
    const aText = texts.find((t) => t.includes(A.cluster)) ?? '';
    const bText = texts.find((t) => t.includes(B.cluster)) ?? '';
    expect(aText).toContain(`account ${A.account}, region ${A.region}`);
    expect(aText).not.toContain(B.account);
    expect(bText).toContain(`account ${B.account}, region ${B.region}`);
    expect(bText).not.toContain(A.account);
  }, 120_000);

  it('a second run sends nothing new (the hub deduplicates across the fleet)', async () => {
    const r = await round();
    expect(r.results.map((x) => x.status)).toEqual(['done', 'done']);
    expect(r.alerts).toEqual([]);
    expect(r.slack).toEqual([]);
  }, 120_000);

  it('repairing both resolves both, once each', async () => {
    await classicHealthCheck(healthCheck);
    await replaceClassicListener(memberB().clients, memberB().world.lbs.classicName, 443, {
      protocol: 'TCP',
    });
    const r = await round();
    expect(r.alerts.map((a) => [a.kind, a.cluster, a.account, a.region]).sort()).toEqual([
      ['resolve', A.cluster, A.account, A.region],
      ['resolve', B.cluster, B.account, B.region],
    ]);
    expect(r.slack).toHaveLength(2);
  }, 120_000);

  it('nothing crosses between accounts but the events: members hold no alert state and no topic', async () => {
    for (const m of fleet.members) {
      // the member's table holds follow-up claims only (none in these runs): no alert records
      const items = await m.clients.dynamodb.send(
        new ScanCommand({ TableName: String(m.env.ALERT_TABLE_NAME) }),
      );
      expect(items.Count).toBe(0);
      expect((await m.clients.sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
      // its public events stayed on its own default bus, about its own cluster only
      const events = (await drain(m.clients, m.eventsQueueUrl, async () => undefined)).map(
        (b) => JSON.parse(b) as { account: string; 'detail-type': string; detail: { cluster: string } },
      );
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.detail.cluster))).toEqual(new Set([m.plan.clusters[0]?.name]));
      expect(events.map((e) => e['detail-type'])).not.toContain(DETAIL_TYPES.findingsReported);
      expect(events.map((e) => e['detail-type'])).not.toContain(DETAIL_TYPES.driftDetected);
    }
    // the hub holds both clusters' alerts, in its own account
    const hubItems = await fleet.hub.clients.dynamodb.send(
      new ScanCommand({ TableName: fleet.hub.alerting.tableName }),
    );
    expect(new Set(hubItems.Items?.map((i) => i.cluster?.S))).toEqual(new Set([A.cluster, B.cluster]));
  }, 120_000);

  it("drops forged reports: a member claiming the other member's cluster, and an account outside the fleet", async () => {
    const forged: FindingsReportedDetail = {
      version: '1',
      cluster: B.cluster,
      source: 'verifier',
      time: new Date().toISOString(),
      verification: true,
      complete: [],
      truncated: false,
      findings: [
        finding('LB_NOT_ATTACHED', {
          cluster: B.cluster,
          resource: 'forged',
          expected: 'attached',
          actual: 'detached',
          message: 'forged',
        }),
      ],
    };
    // member A's own report bus (its verifier's role may put there): forwarded, then dropped
    await putReport(memberA().clients, memberA().plan.reportBusName, forged);
    // an account outside the fleet, forwarding to the hub's bus (moto does not enforce the bus policy)
    const outsider = await accountClients('333333333333', B.region);
    await outsider.eventbridge.send(new CreateEventBusCommand({ Name: 'outsider' }));
    await outsider.eventbridge.send(
      new PutRuleCommand({ Name: 'to-hub', EventBusName: 'outsider', EventPattern: REPORT_PATTERN }),
    );
    await outsider.eventbridge.send(
      new PutTargetsCommand({
        Rule: 'to-hub',
        EventBusName: 'outsider',
        Targets: [{ Id: 'hub', Arn: fleet.hub.plan.busArn }],
      }),
    );
    await putReport(outsider, 'outsider', forged);
    await putReport(outsider, 'outsider', { ...forged, cluster: A.cluster, findings: [] });

    const { results } = await deliverToHub();
    expect(results).toHaveLength(3);
    for (const r of results) expect(r.status).toBe('dropped');
    expect(results.map((r) => ('reason' in r ? r.reason : '')).join('\n')).toContain(
      `${A.account} in ${A.region} sent a report about ${B.cluster}`,
    );
    expect(await drain(fleet.hub.clients, fleet.hub.alerting.alertQueueUrl, async () => undefined)).toEqual(
      [],
    );
  }, 120_000);

  it('the hub drops a malformed report off its queue without a retry, and fails the record on an AWS failure so SQS redelivers it', async () => {
    await sendToHubQueue({ source: EVENT_SOURCE, 'detail-type': DETAIL_TYPES.findingsReported });
    const malformed = await deliverToHub();
    expect(malformed.results).toEqual([expect.objectContaining({ status: 'dropped' })]);
    expect(malformed.batches.flatMap((b) => b.batchItemFailures)).toEqual([]);

    const messageId = await sendToHubQueue(envelope(A, [notAttached(A.cluster, 'elb/k8s-api-internal')]));
    const broken = await deliverToHub(hubHandler({ ...fleet.hub.env, ALERT_TABLE_NAME: 'no-such-table' }));
    expect(broken.batches.flatMap((b) => b.batchItemFailures)).toEqual([{ itemIdentifier: messageId }]);
    expect(broken.results).toEqual([]);
    // the failed record stays on the queue for SQS to redeliver; clear it for the tests after this one
    await fleet.hub.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: fleet.hub.reportsQueueUrl }));
  }, 120_000);

  it("the hub believes only what SQS proves came off its queue: a made-up receipt handle, another queue's ARN and a bare event are dropped", async () => {
    const hub = hubHandler();
    const record = (body: unknown, receiptHandle: string, eventSourceARN = hubQueue().arn) => ({
      eventSource: 'aws:sqs',
      eventSourceARN,
      messageId: `m-${receiptHandle.slice(0, 8)}`,
      receiptHandle,
      body: JSON.stringify(body),
      md5OfBody: '',
      attributes: {},
      messageAttributes: {},
    });
    // a direct invocation with a well-formed report of A's, from A's account and region
    const harmful = envelope(A, [notAttached(A.cluster, 'made-up-handle-report')]);
    const madeUp = (await hub({ Records: [record(harmful, 'made-up-handle')] }, CONTEXT)) as HubBatchResult;
    expect(madeUp.batchItemFailures).toEqual([]);
    expect(madeUp.results).toEqual([
      expect.objectContaining({ status: 'dropped', reason: expect.stringMatching(/receipt handle/) }),
    ]);
    // the event EventBridge would have invoked the function with, before the queue
    expect(await hub(harmful, CONTEXT)).toMatchObject({ status: 'rejected' });

    // a genuine message off the queue, presented as from another queue: dropped; as itself: applied
    const quiet = envelope(A, []);
    await sendToHubQueue(quiet);
    const received = await fleet.hub.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: hubQueue().url, MaxNumberOfMessages: 1 }),
    );
    const handle = received.Messages?.[0]?.ReceiptHandle ?? '';
    expect(handle).not.toBe('');
    const elsewhere = (await hub(
      { Records: [record(quiet, handle, hubQueue().arn.replace(/[^:]+$/, 'another-queue'))] },
      CONTEXT,
    )) as HubBatchResult;
    expect(elsewhere.results).toEqual([
      expect.objectContaining({
        status: 'dropped',
        reason: expect.stringMatching(/not the hub's report queue/),
      }),
    ]);
    const genuine = (await hub({ Records: [record(quiet, handle)] }, CONTEXT)) as HubBatchResult;
    expect(genuine.results).toEqual([
      expect.objectContaining({ status: 'done', cluster: A.cluster, account: A.account, region: A.region }),
    ]);
    await fleet.hub.clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: hubQueue().url, ReceiptHandle: handle }),
    );

    // nothing of the forged report reached the alert state or the topic
    const items = await fleet.hub.clients.dynamodb.send(
      new ScanCommand({ TableName: fleet.hub.alerting.tableName }),
    );
    expect(JSON.stringify(items.Items)).not.toContain('made-up-handle-report');
    expect(await drain(fleet.hub.clients, fleet.hub.alerting.alertQueueUrl, async () => undefined)).toEqual(
      [],
    );
  }, 120_000);

  it("a member whose report bus is gone fails its run, naming the bus (its own bus: the hub's state plays no part)", async () => {
    const verifier = memberVerifier(0, { ...memberA().env, REPORT_BUS_NAME: 'no-such-report-bus' });
    await expect(verifier({ action: 'verify' }, CONTEXT)).rejects.toThrow(/no-such-report-bus/);
  }, 120_000);

  it('the registrar and the follow-up round report to the hub the same way; the follow-up chain stays in the member', async () => {
    const m = memberA();
    const runtime = memberRuntime(0);
    const [instanceId] = (await group(m.clients, m.world.groups[0] ?? '')).liveInstanceIds;
    // a launch the registrar has to register
    await m.clients.elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: m.world.lbs.targetGroupArn,
        Targets: [{ Id: instanceId ?? '' }],
      }),
    );
    const launch = {
      ...autoScalingEvent('EC2 Instance Launch Successful', m.world.groups[0] ?? '', instanceId ?? ''),
      account: A.account,
      region: A.region,
    };
    expect(await createRegistrar(runtime, m.env)(launch, CONTEXT)).toMatchObject({
      status: 'done',
      actions: [expect.stringContaining('repaired INSTANCE_NOT_REGISTERED')],
    });
    const events = (await drain(m.clients, m.eventsQueueUrl, async () => undefined)).map(
      (b) => JSON.parse(b) as { 'detail-type': string },
    );
    expect(events.map((e) => e['detail-type'])).toContain(DETAIL_TYPES.registrationChanged);
    // the new instance's follow-up: claimed in the member's table, queued in the member, run there
    const claims = await m.clients.dynamodb.send(
      new ScanCommand({ TableName: String(m.env.ALERT_TABLE_NAME) }),
    );
    expect(claims.Count).toBeGreaterThan(0);
    const verifier = createVerifier(runtime, m.env);
    const rounds = await drain(m.clients, String(m.env.FOLLOW_UP_QUEUE_URL), async (batch) => {
      await verifier({ Records: batch.map((b) => ({ eventSource: 'aws:sqs', ...b })) }, CONTEXT);
    });
    expect(rounds).toHaveLength(1);

    const delivered = await deliverToHub();
    for (const r of delivered.results) expect(r).toMatchObject({ status: 'done' });
    const reports = delivered.bodies.map(
      (b) => (JSON.parse(b) as { detail: { source: string; verification: boolean; cluster: string } }).detail,
    );
    expect(reports.map((r) => [r.cluster, r.source, r.verification]).sort()).toEqual([
      [A.cluster, 'registrar', false],
      [A.cluster, 'verifier', false],
    ]);
  }, 120_000);

  // last: it takes the hub's bus away
  it('a member keeps working when the hub cannot be reached: its run succeeds and its own events still go out', async () => {
    await drain(memberA().clients, memberA().eventsQueueUrl, async () => undefined);
    await fleet.hub.clients.eventbridge.send(new DeleteEventBusCommand({ Name: 'kops-api-sentinel-hub' }));
    const m = memberA();
    const verifier = memberVerifier(0);
    // the member puts on its own bus only; forwarding to the hub is EventBridge's, after the put
    expect(await verifier({ action: 'verify' }, CONTEXT)).toMatchObject({ status: 'done' });
    const events = (await drain(m.clients, m.eventsQueueUrl, async () => undefined)).map(
      (b) => JSON.parse(b) as { 'detail-type': string },
    );
    expect(events.map((e) => e['detail-type'])).toContain(DETAIL_TYPES.verificationCompleted);
    expect((await deliverToHub()).bodies).toEqual([]);
  }, 120_000);
});
