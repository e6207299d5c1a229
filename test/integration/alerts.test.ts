import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import { type PublishDeps, PublishRunError, publishRun } from '../../functions/core/alerts/publish.ts';
import { AlertStore, AlertWriteConflict, fromItem } from '../../functions/core/alerts/state.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { type AwsClients, CallCounter } from '../../functions/core/aws/clients.ts';
import type { AlertsConfig } from '../../functions/core/config/schema.ts';
import { type Finding, verdictOf } from '../../functions/core/findings/finding.ts';
import { finding } from '../../functions/core/findings/make.ts';
import { createAlertTable } from '../../sandbox/local-alerting.ts';
import { losingFirstResponse } from '../support/lossy-dynamodb.ts';
import { withMoto } from '../support/moto-hooks.ts';

const CLUSTER = 'k8s.example.com';
const OTHER = 'other.example.com';
const GROUP = 'control-plane-eu-west-1a.masters.k8s.example.com';
const T0 = Date.parse('2026-11-02T10:00:00.000Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(T0 + ms);

const alertsConfig: AlertsConfig = {
  reminderHours: 6,
  resolveAfterPasses: 2,
  fireAfterFailures: 1,
  email: [],
};

const notAttached = (cluster = CLUSTER, group = GROUP): Finding =>
  finding('LB_NOT_ATTACHED', {
    cluster,
    resource: group,
    expected: 'lb:api-internal attached',
    actual: 'not attached',
    message: 'The internal API load balancer is not attached to the control-plane group.',
    action: 'repair-failed',
  });
const attached = (cluster = CLUSTER, group = GROUP): Finding =>
  finding('LB_ATTACHED', {
    cluster,
    resource: group,
    expected: 'lb:api-internal attached',
    actual: 'attached',
    message: 'Attached.',
  });
const repairedAttachment = (group = GROUP): Finding =>
  finding('LB_NOT_ATTACHED', {
    cluster: CLUSTER,
    resource: group,
    expected: 'lb:api-internal attached',
    actual: 'was not attached; attached it',
    message: 'Re-attached the internal API load balancer.',
    action: 'repaired',
  });
const untrusted = (): Finding =>
  finding('TLS_UNTRUSTED_ISSUER', {
    cluster: CLUSTER,
    resource: 'api.internal.k8s.example.com:443',
    expected: 'signed by the kops CA',
    actual: 'issued by Amazon RSA 2048 M02',
    message: 'Foreign certificate.',
    details: { certificate: { issuer: 'CN=Amazon RSA 2048 M02', fingerprint256: 'AA:BB:CC' } },
  });

describe('alerts against moto (DynamoDB, SNS→SQS, EventBridge→SQS)', () => {
  const moto = withMoto();
  let clients: AwsClients;
  let counter: CallCounter;
  let deps: PublishDeps;
  let alertQueueUrl: string;
  let eventQueueUrl: string;
  let tableSeq = 0;

  beforeEach(async () => {
    await moto().reset();
    counter = new CallCounter();
    clients = createAwsClients({ region: 'eu-west-1', counter, maxAttempts: 2 });
    const tableName = `alerts-${++tableSeq}`;
    await createAlertTable(clients, tableName);
    const topic = await clients.sns.send(new CreateTopicCommand({ Name: 'sentinel-alerts' }));
    const topicArn = topic.TopicArn as string;
    alertQueueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'alerts-subscriber' })))
      .QueueUrl as string;
    const alertQueueArn = await queueArn(alertQueueUrl);
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: alertQueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    eventQueueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: 'sentinel-events' })))
      .QueueUrl as string;
    await clients.eventbridge.send(
      new PutRuleCommand({
        Name: 'sentinel-events',
        EventBusName: 'default',
        EventPattern: JSON.stringify({ source: ['kops-api-sentinel'] }),
      }),
    );
    await clients.eventbridge.send(
      new PutTargetsCommand({
        Rule: 'sentinel-events',
        EventBusName: 'default',
        Targets: [{ Id: 'queue', Arn: await queueArn(eventQueueUrl) }],
      }),
    );
    deps = { clients, tableName, topicArn, config: alertsConfig };
    counter.reset();
  });

  async function queueArn(url: string): Promise<string> {
    const res = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    return res.Attributes?.QueueArn as string;
  }

  /** Everything on the queue now (moto delivers synchronously); bounded. */
  async function drain(url: string): Promise<Message[]> {
    const out: Message[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      const msgs = res.Messages ?? [];
      if (msgs.length === 0) break;
      out.push(...msgs);
      await clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: msgs.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
    return out;
  }

  async function alerts(): Promise<MachineAlert[]> {
    return (await drain(alertQueueUrl)).map((m) => JSON.parse(m.Body as string) as MachineAlert);
  }

  async function events(): Promise<
    Array<{ 'detail-type': string; source: string; detail: Record<string, unknown> }>
  > {
    return (await drain(eventQueueUrl)).map((m) => JSON.parse(m.Body as string));
  }

  const run = (findings: Finding[], now: Date, source: 'registrar' | 'verifier' = 'registrar') =>
    publishRun({ source, verdicts: [verdictOf(CLUSTER, findings)], now }, deps);

  it('fires once for new drift and does not repeat it on the following runs', async () => {
    const first = await run([notAttached()], at(0));
    expect(first.notifications).toHaveLength(1);
    const msgs = await drain(alertQueueUrl);
    expect(msgs).toHaveLength(1);
    const alert = JSON.parse(msgs[0]?.Body as string) as MachineAlert;
    expect(alert).toMatchObject({
      kind: 'fire',
      alertKey: `${CLUSTER}|LB_NOT_ATTACHED|${GROUP}`,
      code: 'LB_NOT_ATTACHED',
      severity: 'critical',
      source: 'registrar',
      runbook: 'docs/runbook.md#lb_not_attached',
    });
    expect(alert.finding.actual).toBe('not attached');
    // the attributes subscribers filter on
    const attrs = msgs[0]?.MessageAttributes ?? {};
    expect(attrs.cluster?.StringValue).toBe(CLUSTER);
    expect(attrs.severity?.StringValue).toBe('critical');
    expect(attrs.code?.StringValue).toBe('LB_NOT_ATTACHED');

    for (let i = 1; i <= 5; i++) {
      const r = await run([notAttached()], at(i * 5 * MIN));
      expect(r.notifications).toEqual([]);
    }
    expect(await alerts()).toEqual([]);

    const stored = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      state: 'firing',
      failures: 6,
      notifications: 1,
      lastNotification: 'fire',
    });
    expect(stored[0]?.outbox).toBeUndefined();
  });

  it('loads alert state with one Query per cluster', async () => {
    await publishRun(
      {
        source: 'registrar',
        verdicts: [
          verdictOf(CLUSTER, [notAttached()]),
          verdictOf(OTHER, [notAttached(OTHER, 'g.masters.other')]),
        ],
        now: at(0),
      },
      deps,
    );
    expect(counter.calls.get('DynamoDB.Query')).toBe(2);
    expect((await alerts()).map((a) => a.cluster).sort()).toEqual([CLUSTER, OTHER].sort());
  });

  it('reminds after the reminder interval (injected clock)', async () => {
    await run([notAttached()], at(0));
    await run([notAttached()], at(6 * HOUR - MIN));
    await run([notAttached()], at(6 * HOUR));
    await run([notAttached()], at(6 * HOUR + 5 * MIN));
    expect((await alerts()).map((a) => a.kind)).toEqual(['fire', 'remind']);
  });

  it('resolves after two passing runs, once, with a TTL on the record', async () => {
    await run([notAttached()], at(0));
    await run([attached()], at(5 * MIN));
    expect((await alerts()).map((a) => a.kind)).toEqual(['fire']);
    await run([attached()], at(10 * MIN));
    await run([attached()], at(15 * MIN));
    const msgs = await alerts();
    expect(msgs.map((a) => a.kind)).toEqual(['resolve']);
    expect(msgs[0]?.resolution?.code).toBe('LB_ATTACHED');
    expect(msgs[0]?.resolvedAt).toBe(at(10 * MIN).toISOString());
    const scan = await clients.dynamodb.send(new ScanCommand({ TableName: deps.tableName }));
    const rec = fromItem(unmarshall(scan.Items?.[0] ?? {}));
    expect(rec.state).toBe('resolved');
    expect(rec.ttl).toBe(Math.floor(at(10 * MIN).getTime() / 1000) + 30 * 86_400);
  });

  it('leaves alerts of checks the run did not evaluate alone', async () => {
    await run([notAttached(), untrusted()], at(0), 'verifier');
    expect(await alerts()).toHaveLength(2);
    // the registrar checks only the attachment; the TLS alert is not passed by it
    for (let i = 1; i <= 3; i++) await run([attached()], at(i * 5 * MIN));
    const msgs = await alerts();
    expect(msgs.map((a) => `${a.kind}:${a.code}`)).toEqual(['resolve:LB_NOT_ATTACHED']);
    const stored = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
    expect(stored.find((r) => r.code === 'TLS_UNTRUSTED_ISSUER')?.state).toBe('firing');
  });

  describe('one alert per cause', () => {
    const ELB = 'elb/api-internal';
    const NAME = 'dns/api.internal.k8s.example.com';
    const listener = (code: 'LISTENER_TERMINATES_TLS' | 'LISTENER_OK'): Finding =>
      finding(code, {
        cluster: CLUSTER,
        resource: ELB,
        expected: 'TCP:443 passed straight through',
        actual: code === 'LISTENER_OK' ? 'TCP:443' : 'SSL:443 with an ACM certificate',
        message: `${ELB}: ${code}`,
      });
    const through = (resource: string): Finding => ({ ...untrusted(), resource });
    const trusted = (resource: string): Finding =>
      finding('TLS_OK', {
        cluster: CLUSTER,
        resource,
        expected: 'signed by the kops CA',
        actual: 'signed by the kops CA',
        message: 'ok',
      });

    it('a listener swap is one alert listing its handshakes: one fire, one resolve', async () => {
      const swapped = [listener('LISTENER_TERMINATES_TLS'), through(ELB), through(NAME)];
      for (let i = 0; i < 3; i++) await run(swapped, at(i * 5 * MIN), 'verifier');
      const fired = await alerts();
      expect(fired.map((a) => `${a.kind} ${a.code} ${a.resource}`)).toEqual([
        `fire LISTENER_TERMINATES_TLS ${ELB}`,
      ]);
      expect(fired[0]?.consequences?.map((c) => `${c.code} ${c.resource}`)).toEqual([
        `TLS_UNTRUSTED_ISSUER ${ELB}`,
        `TLS_UNTRUSTED_ISSUER ${NAME}`,
      ]);
      const restored = [listener('LISTENER_OK'), trusted(ELB), trusted(NAME)];
      for (let i = 3; i < 6; i++) await run(restored, at(i * 5 * MIN), 'verifier');
      const resolved = await alerts();
      expect(resolved.map((a) => `${a.kind} ${a.code}`)).toEqual(['resolve LISTENER_TERMINATES_TLS']);
      expect(resolved[0]?.consequences).toHaveLength(2);
      // no record was ever opened for a consequence
      const stored = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
      expect(stored.map((r) => r.code)).toEqual(['LISTENER_TERMINATES_TLS']);
    });

    it('a consequence still drifting after its root passed becomes its own alert (never silent)', async () => {
      await run([listener('LISTENER_TERMINATES_TLS'), through(ELB), through(NAME)], at(0), 'verifier');
      expect((await alerts()).map((a) => a.code)).toEqual(['LISTENER_TERMINATES_TLS']);
      // the listener is fixed, but the API name still shows the foreign certificate
      await run([listener('LISTENER_OK'), trusted(ELB), through(NAME)], at(5 * MIN), 'verifier');
      await run([listener('LISTENER_OK'), trusted(ELB), through(NAME)], at(10 * MIN), 'verifier');
      const msgs = await alerts();
      expect(msgs.map((a) => `${a.kind} ${a.code} ${a.resource}`)).toEqual([
        `fire TLS_UNTRUSTED_ISSUER ${NAME}`,
        `resolve LISTENER_TERMINATES_TLS ${ELB}`,
      ]);
    });
  });

  it('damps flapping: drift, pass, drift, pass ... sends one fire and one resolve', async () => {
    const seq = [notAttached(), attached(), notAttached(), attached(), notAttached(), attached(), attached()];
    for (const [i, f] of seq.entries()) await run([f], at(i * 5 * MIN));
    expect((await alerts()).map((a) => a.kind)).toEqual(['fire', 'resolve']);
  });

  it('two concurrent runs seeing the same drift send exactly one alert', async () => {
    let conflicts = 0;
    for (let i = 0; i < 5; i++) {
      const group = `g${i}.masters.k8s.example.com`;
      const now = at(i * MIN);
      const [a, b] = await Promise.all([
        publishRun(
          { source: 'registrar', verdicts: [verdictOf(CLUSTER, [notAttached(CLUSTER, group)])], now },
          deps,
        ),
        publishRun(
          { source: 'verifier', verdicts: [verdictOf(CLUSTER, [notAttached(CLUSTER, group)])], now },
          deps,
        ),
      ]);
      conflicts += a.conflicts + b.conflicts;
      expect(a.notifications.length + b.notifications.length).toBe(1);
      const msgs = await alerts();
      expect(msgs).toHaveLength(1);
      expect(msgs[0]?.resource).toBe(group);
    }
    // both runs read "no alert" before either wrote at least once: the conditional write decided
    expect(conflicts).toBeGreaterThan(0);
  });

  it('never loses an alert: SNS failure leaves it owed, the next run sends it once', async () => {
    const broken: PublishDeps = { ...deps, topicArn: 'arn:aws:sns:eu-west-1:123456789012:does-not-exist' };
    const err = await publishRun(
      { source: 'registrar', verdicts: [verdictOf(CLUSTER, [notAttached()])], now: at(0) },
      broken,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PublishRunError);
    expect((err as PublishRunError).result.notifications).toEqual([]);
    const [owed] = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
    expect(owed?.lastNotified).toBeUndefined();
    expect(owed?.outbox).toMatchObject({ kind: 'fire', leaseUntil: 0 });
    // nothing went out, and no Drift Detected event was put either
    expect(await alerts()).toEqual([]);
    expect((await events()).filter((e) => e['detail-type'] === 'Drift Detected')).toEqual([]);

    // the retry (or the next scheduled run) sends it
    const retry = await run([notAttached()], at(MIN));
    expect(retry.notifications.map((n) => n.kind)).toEqual(['fire']);
    await run([notAttached()], at(2 * MIN));
    expect((await alerts()).map((a) => a.kind)).toEqual(['fire']);
  });

  it('processes the rest of the run when one alert cannot be published, then throws', async () => {
    const broken: PublishDeps = { ...deps, topicArn: 'arn:aws:sns:eu-west-1:123456789012:does-not-exist' };
    await expect(
      publishRun(
        { source: 'verifier', verdicts: [verdictOf(CLUSTER, [notAttached(), untrusted()])], now: at(0) },
        broken,
      ),
    ).rejects.toThrow(/2 failure\(s\)/);
    const stored = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
    expect(stored).toHaveLength(2);
    expect(stored.every((r) => r.outbox?.leaseUntil === 0)).toBe(true);
    // the Verification Completed event still went out
    expect((await events()).map((e) => e['detail-type'])).toEqual(['Verification Completed']);
  });

  it('puts the sentinel events on the default bus (EventBridge → SQS)', async () => {
    await run(
      [repairedAttachment(), notAttached(CLUSTER, 'other.masters.k8s.example.com'), untrusted()],
      at(0),
      'verifier',
    );
    const first = await events();
    const types = first.map((e) => e['detail-type']).sort();
    expect(types).toEqual([
      'Drift Detected',
      'Drift Detected',
      'Registration Changed',
      'Verification Completed',
    ]);
    for (const e of first) expect(e.source).toBe('kops-api-sentinel');
    const reg = first.find((e) => e['detail-type'] === 'Registration Changed')?.detail;
    expect(reg).toMatchObject({
      version: '1',
      cluster: CLUSTER,
      check: 'attachment',
      action: 'repaired',
      resource: GROUP,
    });
    const vc = first.find((e) => e['detail-type'] === 'Verification Completed')?.detail;
    expect(vc).toMatchObject({
      cluster: CLUSTER,
      source: 'verifier',
      inSync: false,
      findings: 3,
      counts: { ok: 0, info: 0, warning: 0, critical: 3 },
      driftTruncated: false,
    });
    expect(vc?.drift).toHaveLength(2);
    const dd = first.find(
      (e) => e['detail-type'] === 'Drift Detected' && e.detail.code === 'TLS_UNTRUSTED_ISSUER',
    )?.detail;
    expect(dd).toMatchObject({
      alertKey: `${CLUSTER}|TLS_UNTRUSTED_ISSUER|api.internal.k8s.example.com:443`,
      notification: 'fire',
    });

    // persisting drift: no new Drift Detected; resolution: Drift Resolved
    await run([untrusted()], at(5 * MIN), 'verifier');
    expect((await events()).map((e) => e['detail-type'])).toEqual(['Verification Completed']);
    const ok = finding('TLS_OK', {
      cluster: CLUSTER,
      resource: 'api.internal.k8s.example.com:443',
      expected: 'signed by the kops CA',
      actual: 'signed by the kops CA',
      message: 'Fine.',
    });
    await run([ok], at(10 * MIN), 'verifier');
    await run([ok], at(15 * MIN), 'verifier');
    const later = await events();
    const resolved = later.find((e) => e['detail-type'] === 'Drift Resolved')?.detail;
    expect(resolved).toMatchObject({
      code: 'TLS_UNTRUSTED_ISSUER',
      firstSeen: at(0).toISOString(),
      resolvedAt: at(15 * MIN).toISOString(),
      durationSeconds: 900,
    });
    expect(later.filter((e) => e['detail-type'] === 'Verification Completed')).toHaveLength(2);
    expect((await alerts()).map((a) => a.kind)).toEqual(['fire', 'fire', 'resolve']);
  });

  it('puts more than ten events in batches of at most ten', async () => {
    const repaired = Array.from({ length: 23 }, (_, i) =>
      repairedAttachment(`g${i}.masters.k8s.example.com`),
    );
    const res = await run(repaired, at(0));
    expect(res.events).toBe(23);
    expect(counter.calls.get('EventBridge.PutEvents')).toBe(3);
    expect((await events()).filter((e) => e['detail-type'] === 'Registration Changed')).toHaveLength(23);
    // repaired findings are not drift: no alert
    expect(res.notifications).toEqual([]);
  });

  describe('fireAfterFailures counts runs of the same kind, across runs', () => {
    const two = (): PublishDeps => ({ ...deps, config: { ...alertsConfig, fireAfterFailures: 2 } });
    const tick = (now: Date) =>
      Promise.all(
        (['registrar', 'verifier'] as const).map((source) =>
          publishRun({ source, verdicts: [verdictOf(CLUSTER, [notAttached()])], now }, two()),
        ),
      );

    it('the registrar and the verifier on one tick are one sighting each; the next tick pages once', async () => {
      const first = await tick(at(0));
      expect(first.flatMap((r) => r.notifications)).toEqual([]);
      expect(await alerts()).toEqual([]);
      const [pending] = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
      expect(pending).toMatchObject({ state: 'pending', failuresBy: { registrar: 1, verifier: 1 } });

      const second = await tick(at(5 * MIN));
      expect(second.flatMap((r) => r.notifications).map((n) => n.kind)).toEqual(['fire']);
      expect((await alerts()).map((a) => a.kind)).toEqual(['fire']);
    });

    it('two verifier runs in a row page', async () => {
      const verify = (now: Date) =>
        publishRun({ source: 'verifier', verdicts: [verdictOf(CLUSTER, [notAttached()])], now }, two());
      expect((await verify(at(0))).notifications).toEqual([]);
      expect((await verify(at(5 * MIN))).notifications.map((n) => n.kind)).toEqual(['fire']);
      expect(await alerts()).toHaveLength(1);
    });

    it('a follow-up deadline that passed pages at once', async () => {
      const notVerified = finding('NEW_INSTANCE_NOT_VERIFIED', {
        cluster: CLUSTER,
        resource: 'i-0123456789abcdef0',
        expected: 'registered, healthy, serving a certificate from the kops CA',
        actual: 'INSTANCE_NOT_REGISTERED',
        message: 'i-0123456789abcdef0 did not pass verification within 15 minutes',
      });
      const res = await publishRun(
        { source: 'verifier', verdicts: [verdictOf(CLUSTER, [notVerified])], now: at(0) },
        two(),
      );
      expect(res.notifications.map((n) => n.kind)).toEqual(['fire']);
      expect((await alerts()).map((a) => a.code)).toEqual(['NEW_INSTANCE_NOT_VERIFIED']);
    });
  });

  describe('alert-state writes survive a lost response', () => {
    const withDynamo = (dynamodb: DynamoDBClient, fireAfterFailures: number): PublishDeps => ({
      ...deps,
      clients: { ...clients, dynamodb },
      config: { ...alertsConfig, fireAfterFailures },
    });

    it('a retried claim that finds its own write sends the alert once, not as a conflict', async () => {
      const lossy = losingFirstResponse('PutItemCommand');
      const res = await publishRun(
        { source: 'verifier', verdicts: [verdictOf(CLUSTER, [notAttached()])], now: at(0) },
        withDynamo(lossy.client, 1),
      );
      expect(lossy.sent()).toBe(2); // the write, and the SDK's retry of it
      expect(res.conflicts).toBe(0);
      expect(res.notifications.map((n) => n.kind)).toEqual(['fire']);
      expect((await alerts()).map((a) => a.kind)).toEqual(['fire']);
      const [stored] = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
      expect(stored).toMatchObject({ state: 'firing', failures: 1, notifications: 1 });
      expect(stored?.outbox).toBeUndefined();
    });

    it('a retried write counts its observation once: no page on the first sighting', async () => {
      const lossy = losingFirstResponse('PutItemCommand');
      const first = await publishRun(
        { source: 'verifier', verdicts: [verdictOf(CLUSTER, [notAttached()])], now: at(0) },
        withDynamo(lossy.client, 2),
      );
      expect(lossy.sent()).toBe(2);
      expect(first.notifications).toEqual([]);
      const [pending] = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
      expect(pending).toMatchObject({ state: 'pending', failures: 1, failuresBy: { verifier: 1 } });
      const second = await run([notAttached()], at(5 * MIN), 'verifier');
      expect(second.notifications.map((n) => n.kind)).toEqual(['fire']);
    });

    it('of concurrent first writes exactly one wins; the others get the winning record back', async () => {
      const store = new AlertStore(clients.dynamodb, deps.tableName);
      for (let round = 0; round < 10; round++) {
        const group = `race${round}.masters.k8s.example.com`;
        const base = {
          key: `${CLUSTER}|LB_NOT_ATTACHED|${group}`,
          cluster: CLUSTER,
          check: 'attachment' as const,
          resource: group,
          code: 'LB_NOT_ATTACHED',
          severity: 'critical' as const,
          state: 'pending' as const,
          passes: 0,
          firstSeen: at(0).toISOString(),
          lastSeen: at(0).toISOString(),
          lastEvaluated: at(0).toISOString(),
          notifications: 0,
          finding: notAttached(CLUSTER, group),
          version: 0,
        };
        const outcomes = await Promise.all(
          [1, 2, 3, 4].map((n) =>
            store.put({ ...base, failures: n, failuresBy: { [`writer${n}`]: 1 } }, 0).then(
              (r) => ({ won: r.failures }),
              (e: unknown) => ({ lost: e as AlertWriteConflict }),
            ),
          ),
        );
        const winners = outcomes.flatMap((o) => ('won' in o ? [o.won] : []));
        expect(winners).toHaveLength(1);
        for (const o of outcomes) {
          if (!('lost' in o)) continue;
          expect(o.lost).toBeInstanceOf(AlertWriteConflict);
          expect(o.lost.current).toMatchObject({ failures: winners[0], version: 1 });
        }
      }
    });

    it('a retried confirmation that finds its own write is a confirmation', async () => {
      const lossy = losingFirstResponse('UpdateItemCommand');
      const warnings: string[] = [];
      const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
      await publishRun(
        { source: 'verifier', verdicts: [verdictOf(CLUSTER, [notAttached()])], now: at(0) },
        { ...withDynamo(lossy.client, 1), logger },
      );
      expect(lossy.sent()).toBe(2);
      expect(warnings).toEqual([]);
      const [stored] = await new AlertStore(clients.dynamodb, deps.tableName).loadCluster(CLUSTER);
      expect(stored).toMatchObject({ notifications: 1, lastNotification: 'fire' });
      expect(stored?.outbox).toBeUndefined();
      // the lease long gone: nothing is sent again
      await run([notAttached()], at(HOUR), 'verifier');
      expect((await alerts()).map((a) => a.kind)).toEqual(['fire']);
    });
  });
});
