import type { Context } from 'aws-lambda';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import { createHandler as createHub, type HubBatchResult } from '../../functions/hub/handler.ts';
import { createHandler as createNotifier } from '../../functions/notifier/handler.ts';
import { createHandler as createRegistrar } from '../../functions/registrar/handler.ts';
import { ENV } from '../../functions/shared/env.ts';
import type { RunSummary } from '../../functions/shared/summary.ts';
import { createHandler as createVerifier } from '../../functions/verifier/handler.ts';
import { buildFleet, type Fleet, type FleetMember } from '../fleet.ts';
import { drain, snsEvent } from '../local-alerting.ts';
import { type Moto, startMoto, useMoto } from '../moto.ts';
import { createCa, issueServerCert } from '../pki.ts';
import { deliverQueue } from '../queue-delivery.ts';
import { describe } from './describe.ts';
import { CAUSES, type Cause } from './fleet-causes.ts';
import { type Believed, checkAlerts, checkIsolation, checkReports, placeOf } from './fleet-checks.ts';
import { startSlackStandIn } from './slack.ts';
import { type ServingCert, StandIns } from './stand-ins.ts';
import { Timeline } from './timeline.ts';

export interface FleetRehearsalOptions {
  /** Member accounts (2 or 3), each in its own region, besides the hub's account. */
  accounts: number;
  /** A running moto_server to play against (emptied first, left running); by default one is started and stopped. */
  moto?: Moto;
  /**
   * A fault for the test that proves the checks can fail: the hub ignores every report from this
   * account (as if its bus policy or the forwarding rule lost them). Never set by the CLI.
   */
  hubIgnores?: string;
}

export interface FleetRehearsalResult {
  ok: boolean;
  timeline: Timeline;
  /** What the hub's Slack stand-in received, in order. */
  slack: unknown[];
  /** The alerts the hub published, in order. */
  alerts: MachineAlert[];
}

/** The member accounts, regions and clusters of the story; the hub lives in its own account. */
export const FLEET_MEMBERS = [
  { account: '111111111111', region: 'eu-west-1', cluster: 'dev.a.example.com' },
  { account: '222222222222', region: 'us-east-2', cluster: 'staging.b.example.com' },
  { account: '333333333333', region: 'ap-southeast-2', cluster: 'prod.c.example.com' },
] as const;
export const FLEET_HUB = { account: '999999999999', region: 'eu-central-1' } as const;

const CONTEXT = { awsRequestId: 'fleet-rehearsal', functionName: 'fleet-rehearsal' } as Context;
const API_PORT = 443;

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** One member on stage: its world, its stand-ins, its functions and what the story breaks in it. */
interface Cast {
  member: FleetMember;
  standIns: StandIns;
  cause: Cause;
  registrar: Handler;
  verifier: Handler;
  /** The last answer of its functions. */
  last?: RunSummary;
}

/** The fleet on stage: what the checks (fleet-checks.ts) read. */
export interface FleetStage {
  fleet: Fleet;
  cast: Cast[];
  hub: Handler;
  notifier: Handler;
  timeline: Timeline;
  alerts: MachineAlert[];
  slack: unknown[];
  /** The certificate someone puts on a listener: from a public CA, not the kops CA. */
  acmLike: ServingCert;
  hubIgnores?: string;
}

/** Runs one function of a member, hands its queued follow-ups to its verifier, and records a row. */
async function memberStep(s: FleetStage, c: Cast, event: string, run: () => Promise<unknown>): Promise<void> {
  const res = await run();
  c.last = res as RunSummary;
  const notes: string[] = [];
  await drain(c.member.clients, String(c.member.env[ENV.FOLLOW_UP_QUEUE_URL]), async (batch) => {
    const records = batch.map((b) => ({ eventSource: 'aws:sqs', messageId: b.messageId, body: b.body }));
    await c.verifier({ Records: records }, CONTEXT);
    notes.push(`${batch.length} follow-up(s) verified`);
  });
  const { did, verdict } = describe(res);
  s.timeline.add(`${placeOf(c.member)}: ${event}`, [did, ...notes].join('; '), verdict);
}

/**
 * What reached the hub's bus goes to the hub function; what it published goes to the notifier and
 * Slack. Returns the reports the hub believed, with the account and region EventBridge stamped on them.
 */
async function deliver(s: FleetStage): Promise<Believed[]> {
  const { hub } = s.fleet;
  const results: string[] = [];
  const believed: Believed[] = [];
  const queue = { url: hub.reportsQueueUrl, arn: hub.reportsQueueArn };
  const ignored = (body: string) =>
    s.hubIgnores !== undefined && (JSON.parse(body) as { account?: string }).account === s.hubIgnores;
  // the hub function consumes its report queue, as Lambda's event source mapping hands it over
  const { bodies: envelopes } = await deliverQueue(hub.clients, queue, async (event) => {
    const records = event.Records.filter((r) => !ignored(r.body));
    if (records.length === 0) return {};
    const answer = (await s.hub({ Records: records }, CONTEXT)) as HubBatchResult;
    for (const r of answer.results) {
      if (r.status === 'dropped') results.push(`dropped: ${r.reason}`);
      else if (r.status === 'skipped') results.push(`skipped: ${r.reason}`);
      else believed.push({ account: r.account, region: r.region, cluster: r.cluster });
    }
    return answer;
  });
  const bodies = await drain(hub.clients, hub.alerting.alertQueueUrl, async (batch) => {
    for (const b of batch) await s.notifier(snsEvent(b.body, hub.alerting.topicArn), CONTEXT);
  });
  for (const body of bodies) {
    const alert = JSON.parse(body) as MachineAlert;
    s.alerts.push(alert);
    results.push(`alert ${alert.kind} ${alert.code} (${alert.account ?? '?'}, ${alert.region ?? '?'})`);
  }
  s.timeline.add(
    `hub (${hub.plan.account}, ${hub.plan.region}): ${envelopes.length} report(s) arrive`,
    results.join('; ') || 'nothing to send',
    `${bodies.length} alert(s) to Slack`,
  );
  return believed;
}

/** Every member's scheduled verification, then the hub's turn. */
async function scheduled(s: FleetStage, what = 'scheduled verification'): Promise<Believed[]> {
  for (const c of s.cast) await memberStep(s, c, what, () => c.verifier({ action: 'verify' }, CONTEXT));
  return deliver(s);
}

async function breakEach(s: FleetStage): Promise<void> {
  for (const c of s.cast) {
    await c.cause.break(c.member, c.standIns, s.acmLike);
    const event = c.cause.event?.(c.member);
    if (event) await memberStep(s, c, c.cause.breaks, () => c.registrar(event, CONTEXT));
    else s.timeline.add(`${placeOf(c.member)}: ${c.cause.breaks}`, 'nothing yet (no event)', '-');
  }
  await deliver(s);
}

async function fixEach(s: FleetStage): Promise<void> {
  for (const c of s.cast) {
    await c.cause.fix(c.member, c.standIns);
    s.timeline.add(`${placeOf(c.member)}: ${c.cause.fixes}`, '-', '-');
  }
}

/** Plays a fleet (a hub account and member accounts in other regions) against a local AWS, through the real handlers. */
export async function rehearseFleet(opts: FleetRehearsalOptions): Promise<FleetRehearsalResult> {
  const specs = FLEET_MEMBERS.slice(0, opts.accounts);
  if (specs.length < 2 || specs.length !== opts.accounts)
    throw new Error(
      `accounts: expected 2 to ${FLEET_MEMBERS.length} member accounts, found ${opts.accounts}`,
    );
  const moto = opts.moto ?? (await startMoto());
  if (opts.moto) {
    await opts.moto.reset();
    useMoto(opts.moto.endpoint);
  }
  const slack = await startSlackStandIn();
  const closers: (() => Promise<void>)[] = [() => slack.close(), ...(opts.moto ? [] : [() => moto.stop()])];
  const timeline = new Timeline();
  try {
    const kopsCa = await createCa('kubernetes-ca');
    const serving = await issueServerCert(kopsCa, {
      dns: specs.flatMap((m) => [`api.internal.${m.cluster}`, `api.${m.cluster}`]).concat(['kubernetes']),
      ips: ['127.0.0.1'],
    });
    const acmLike = await issueServerCert(await createCa('Amazon RSA 2048 M03'), {
      dns: specs.flatMap((m) => [`api.${m.cluster}`, `*.${m.cluster}`]),
    });
    const fleet = await buildFleet({
      members: [...specs],
      hub: FLEET_HUB,
      // report-only: what kops update detaches stays detached until the operator acts
      clusterConfig: {
        ca: { source: 'inline', pem: kopsCa.certPem },
        tls: { timeoutSeconds: 2 },
        mode: 'report-only',
      },
      slackUrl: slack.url,
    });
    const cast: Cast[] = [];
    for (const [i, member] of fleet.members.entries()) {
      const standIns = new StandIns(member.clients, serving, acmLike);
      closers.unshift(() => standIns.close());
      await standIns.start(member.world.lbs.classicName, member.world.lbs.nlbArn);
      await standIns.sync(member.world.groups);
      const hostname = member.config.clusters[0]?.api.hostname ?? '';
      const runtime = () => ({
        config: member.config,
        clients: member.clients,
        connectTo: standIns.rules(API_PORT, hostname),
      });
      cast.push({
        member,
        standIns,
        cause: CAUSES[i] as Cause,
        registrar: createRegistrar(runtime, member.env) as Handler,
        verifier: createVerifier(runtime, member.env) as Handler,
      });
    }
    const s: FleetStage = {
      fleet,
      cast,
      hub: createHub(() => ({ config: fleet.config, clients: fleet.hub.clients }), fleet.hub.env) as Handler,
      notifier: createNotifier({
        secrets: fleet.hub.clients.secrets,
        secretName: fleet.hub.alerting.secretName,
        webhook: { timeoutMs: 2000 },
        // the stand-in is plain http on 127.0.0.1; a deployed notifier never takes this option
        allowInsecureLocalSlack: true,
      }) as Handler,
      timeline,
      alerts: [],
      slack: slack.received,
      acmLike,
      ...(opts.hubIgnores ? { hubIgnores: opts.hubIgnores } : {}),
    };
    timeline.add(
      `a hub in ${FLEET_HUB.account} (${FLEET_HUB.region}) and ${cast.length} member accounts, one kops cluster each`,
      'report-only mode; each member forwards its report bus to the hub bus',
      '-',
    );
    checkReports(s, await scheduled(s));
    timeline.expect(
      'every cluster starts in sync, and nothing reaches Slack',
      cast.every((c) => c.last?.inSync === true) && s.slack.length === 0,
      `${s.slack.length} Slack posts`,
    );
    await breakEach(s);
    for (let i = 1; i <= fleet.config.alerts.fireAfterFailures; i++) await scheduled(s);
    const fired = s.alerts.length;
    checkAlerts(s, 'fire', 0);
    await scheduled(s, 'scheduled verification (the drift goes on)');
    timeline.expect(
      'another run sends nothing new (the hub deduplicates)',
      s.alerts.length === fired && s.slack.length === fired,
      `${s.alerts.length - fired} new alerts`,
    );
    await fixEach(s);
    for (let i = 1; i <= fleet.config.alerts.resolveAfterPasses; i++) await scheduled(s);
    checkAlerts(s, 'resolve', fired);
    timeline.expect(
      'every cluster ends in sync',
      cast.every((c) => c.last?.inSync === true),
      cast
        .map((c) => `${c.member.plan.clusters[0]?.name}: ${c.last?.inSync ? 'in sync' : 'drift'}`)
        .join(', '),
    );
    timeline.expect(
      'every alert reached the one Slack',
      s.slack.length === s.alerts.length,
      `${s.slack.length} Slack posts for ${s.alerts.length} alerts`,
    );
    await checkIsolation(s);
    return { ok: timeline.ok, timeline, slack: s.slack, alerts: s.alerts };
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}
