import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, DeleteTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import { PublishRunError } from '../../functions/core/alerts/publish.ts';
import { AlertStore, alertSortKey } from '../../functions/core/alerts/state.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { loadConfigFile } from '../../functions/core/config/load.ts';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import { clusterPlaces } from '../../functions/core/config/select.ts';
import { type Finding, verdictOf } from '../../functions/core/findings/finding.ts';
import { finding } from '../../functions/core/findings/make.ts';
import { claimReport } from '../../functions/core/fleet/claim.ts';
import { type AppliedReport, acceptReport, applyReport } from '../../functions/core/fleet/hub.ts';
import { findingsReports } from '../../functions/core/fleet/report.ts';
import type { AcceptedReport } from '../../functions/core/fleet/report-event.ts';
import { silentLog } from '../../functions/core/log.ts';
import { createAlertTable, drain } from '../../sandbox/local-alerting.ts';
import { losingFirstResponse } from '../support/lossy-dynamodb.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The hub applies each report once, in the order it was observed (functions/core/fleet/claim.ts),
 * against moto's DynamoDB, SNS and SQS: with fireAfterFailures 2 and resolveAfterPasses 2, one
 * report counted twice would fire or resolve an alert early.
 */

const example = loadConfigFile('config/example.yaml');
const config: SentinelConfig = {
  ...example,
  alerts: { ...example.alerts, fireAfterFailures: 2, resolveAfterPasses: 2 },
};
const cluster = config.clusters[0] as SentinelConfig['clusters'][number];
const CLUSTER = cluster.name;
const GROUP_X = `control-plane-eu-west-1a.masters.${CLUSTER}`;
const GROUP_Y = `control-plane-eu-west-1b.masters.${CLUSTER}`;
const HUB_NOW = new Date('2026-12-01T01:00:00.000Z');
const at = (minutes: number) => new Date(HUB_NOW.getTime() - 60 * 60_000 + minutes * 60_000);

const detached = (group: string): Finding =>
  finding('LB_NOT_ATTACHED', {
    cluster: CLUSTER,
    resource: group,
    expected: 'attached',
    actual: 'not attached',
    message: 'The internal load balancer is not attached to the control-plane group.',
    action: 'repair-failed',
  });
const attached = (group: string): Finding =>
  finding('LB_ATTACHED', {
    cluster: CLUSTER,
    resource: group,
    expected: 'attached',
    actual: 'attached',
    message: 'Attached.',
  });

/** A verifier's report as the hub receives it (EventBridge envelope), read as the hub reads it. */
function report(time: Date, id: string, findings: Finding[]): AcceptedReport {
  const [detail] = findingsReports('verifier', [verdictOf(CLUSTER, findings, ['attachment'])], {
    now: time,
    verification: true,
  });
  const read = acceptReport(
    {
      version: '0',
      id,
      'detail-type': DETAIL_TYPES.findingsReported,
      source: EVENT_SOURCE,
      account: cluster.account,
      region: cluster.region,
      time: time.toISOString(),
      resources: [],
      detail,
    },
    clusterPlaces(config.clusters),
  );
  if ('dropped' in read) throw new Error(`the test's report was dropped: ${read.reason}`);
  return read.report;
}

describe('the hub counts a report once, in the order it was observed (moto)', () => {
  const moto = withMoto({ region: 'eu-west-1' });
  let clients: AwsClients;
  let tableName: string;
  let topicArn: string;
  let subscriberUrl: string;
  let seq = 0;

  /** The hub's topic, subscribed by a queue standing in for the notifier (made again after a delete). */
  async function hubTopic(): Promise<void> {
    topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'hub-alerts' }))).TopicArn as string;
    const attrs = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: subscriberUrl, AttributeNames: ['QueueArn'] }),
    );
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: attrs.Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
  }

  beforeEach(async () => {
    await moto().reset();
    clients = createAwsClients({ region: 'eu-west-1', maxAttempts: 1 });
    tableName = `hub-alerts-${++seq}`;
    await createAlertTable(clients, tableName);
    subscriberUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: `notifier-${seq}` })))
      .QueueUrl as string;
    await hubTopic();
  });

  const apply = (r: AcceptedReport): Promise<AppliedReport> =>
    applyReport(r, { config, clients, tableName, topicArn, log: silentLog, now: HUB_NOW });
  const notified = async (): Promise<string[]> =>
    (await drain(clients, subscriberUrl, async () => undefined)).map((body) => {
      const alert = JSON.parse(body) as { kind: string; resource: string };
      return `${alert.kind} ${alert.resource}`;
    });
  const alertOf = (group: string) =>
    new AlertStore(clients.dynamodb, tableName).get(
      CLUSTER,
      alertSortKey({ check: 'attachment', resource: group, code: 'LB_NOT_ATTACHED' }),
    );

  it('the same report twice is counted once: the duplicate neither fires nor writes', async () => {
    const first = report(at(5), 'event-1', [detached(GROUP_X)]);
    expect((await apply(first)).skipped).toBeUndefined();
    const again = await apply(report(at(5), 'event-1', [detached(GROUP_X)]));
    expect(again).toMatchObject({ skipped: 'duplicate', evaluated: 0, notifications: [] });
    expect(await alertOf(GROUP_X)).toMatchObject({ failures: 1, state: 'pending' });
    expect(await notified()).toEqual([]);

    const second = await apply(report(at(10), 'event-2', [detached(GROUP_X)]));
    expect(second.notifications.map((n) => n.kind)).toEqual(['fire']);
    expect(await alertOf(GROUP_X)).toMatchObject({ failures: 2, state: 'firing' });
    expect(await notified()).toEqual([`fire ${GROUP_X}`]);

    // the alert store's Query reads alerts only: the applied-report mark is in the same partition
    const items = (await clients.dynamodb.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items.map((i) => unmarshall(i).sk).sort()).toEqual([
      '#applied#verifier',
      alertSortKey({ check: 'attachment', resource: GROUP_X, code: 'LB_NOT_ATTACHED' }),
    ]);
    const loaded = await new AlertStore(clients.dynamodb, tableName).loadCluster(CLUSTER);
    expect(loaded.map((r) => r.resource)).toEqual([GROUP_X]);
  });

  it('an older report arriving after a newer one is skipped; decisions use the report time', async () => {
    expect((await apply(report(at(10), 'event-b', [detached(GROUP_X)]))).skipped).toBeUndefined();
    const late = await apply(report(at(5), 'event-a', [detached(GROUP_X)]));
    expect(late).toMatchObject({ skipped: 'stale', evaluated: 0 });
    expect(await alertOf(GROUP_X)).toMatchObject({
      failures: 1,
      state: 'pending',
      lastSeen: at(10).toISOString(),
    });
    expect(await notified()).toEqual([]);
  });

  it('a retry after a partial failure is skipped: it neither resolves early nor counts twice', async () => {
    await apply(report(at(5), 'r1', [detached(GROUP_X)]));
    await apply(report(at(10), 'r2', [detached(GROUP_X), detached(GROUP_Y)]));
    expect(await notified()).toEqual([`fire ${GROUP_X}`]);

    // the topic is gone for a while: the report's writes land, Y's notification fails
    await clients.sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    const r3 = report(at(15), 'r3', [attached(GROUP_X), detached(GROUP_Y)]);
    const failed = await apply(r3).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(PublishRunError);
    expect(await alertOf(GROUP_X)).toMatchObject({ state: 'firing', passes: 1 });
    expect(await alertOf(GROUP_Y)).toMatchObject({ state: 'firing', failures: 2 });

    // Lambda retries the same event once SNS is back: it is skipped, nothing counted again
    await hubTopic();
    expect(await apply(r3)).toMatchObject({ skipped: 'duplicate', notifications: [] });
    expect(await alertOf(GROUP_X)).toMatchObject({ state: 'firing', passes: 1 });
    expect(await alertOf(GROUP_Y)).toMatchObject({ state: 'firing', failures: 2 });
    expect(await notified()).toEqual([]);

    // the next report decides again: X resolves after its second pass, Y's owed fire goes out
    await apply(report(at(20), 'r4', [attached(GROUP_X), detached(GROUP_Y)]));
    expect((await notified()).sort()).toEqual([`fire ${GROUP_Y}`, `resolve ${GROUP_X}`]);
    expect(await alertOf(GROUP_X)).toMatchObject({ state: 'resolved', passes: 2 });
    expect(await alertOf(GROUP_Y)).toMatchObject({ failures: 3 });
  });

  it('a claim whose response was lost, retried by the SDK, finds its own write: the report is applied, not skipped', async () => {
    const lossy = losingFirstResponse('PutItemCommand');
    const claim = { cluster: CLUSTER, source: 'verifier', mark: { at: at(5).getTime(), id: 'event-1' } };
    expect(await claimReport(lossy.client, tableName, claim, { hubNow: HUB_NOW })).toBe('apply');
    expect(lossy.sent()).toBe(2); // the write, and the SDK's retry of it
    // a second delivery of the same event is a duplicate, an older event stale, a newer one applies
    expect(await claimReport(clients.dynamodb, tableName, claim, { hubNow: HUB_NOW })).toBe('duplicate');
    const older = { ...claim, mark: { at: at(4).getTime(), id: 'event-0' } };
    expect(await claimReport(clients.dynamodb, tableName, older, { hubNow: HUB_NOW })).toBe('stale');
    const newer = { ...claim, mark: { at: at(6).getTime(), id: 'event-2' } };
    expect(await claimReport(clients.dynamodb, tableName, newer, { hubNow: HUB_NOW })).toBe('apply');
    // the registrar's reports have their own mark
    const registrar = { ...older, source: 'registrar' };
    expect(await claimReport(clients.dynamodb, tableName, registrar, { hubNow: HUB_NOW })).toBe('apply');
  });
});
