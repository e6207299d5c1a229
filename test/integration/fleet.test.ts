import {
  ConfigureHealthCheckCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { DeregisterTargetsCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import { createHandler as createHub, type HubResult } from '../../functions/hub/handler.ts';
import { createHandler as createNotifier } from '../../functions/notifier/handler.ts';
import { createHandler as createVerifier } from '../../functions/verifier/handler.ts';
import { buildFleet, type Fleet } from '../../sandbox/fleet.ts';
import { drain, snsEvent } from '../../sandbox/local-alerting.ts';
import { createCa, issueServerCert } from '../../sandbox/pki.ts';
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

/** One scheduled verifier run in every member, then whatever reached the hub through to Slack. */
async function round() {
  for (const [i, m] of fleet.members.entries()) {
    const s = standIns[i] as StandIns;
    const cluster = m.config.clusters[0];
    if (!cluster) throw new Error('member without a cluster');
    const verifier = createVerifier(
      () => ({ config: m.config, clients: m.clients, connectTo: s.rules(443, cluster.api.hostname) }),
      m.env,
    );
    await verifier({ action: 'verify' }, CONTEXT);
  }
  const hub = createHub(() => ({ config: fleet.config, clients: fleet.hub.clients }), fleet.hub.env);
  const results: HubResult[] = [];
  const envelopes = (
    await drain(fleet.hub.clients, fleet.hub.reportsQueueUrl, async (batch) => {
      for (const b of batch) results.push(await hub(JSON.parse(b.body), CONTEXT));
    })
  ).map((b) => JSON.parse(b) as { account: string; region: string; detail: { cluster: string } });
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

describe('a fleet: two member accounts in two regions, one hub', () => {
  it('explore', async () => {
    const r0 = await round();
    console.log(
      JSON.stringify(r0.envelopes.map((e) => [e.account, e.region, e.detail.cluster])),
      JSON.stringify(r0.results),
      r0.alerts.length,
    );
  }, 120_000);
});
