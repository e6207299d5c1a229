import {
  CreateEventBusCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { DETAIL_TYPES, EVENT_SOURCE } from '../functions/core/alerts/events.ts';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import { parseConfig } from '../functions/core/config/load.ts';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { type HubPlan, type MemberPlan, memberConfig, planFleet } from '../functions/core/fleet/plan.ts';
import { ENV } from '../functions/shared/env.ts';
import { accountClients } from './accounts.ts';
import { createAlertTable, createLocalAlerting, type LocalAlerting, queue } from './local-alerting.ts';
import { buildWorld, type World } from './world.ts';

/** A member account of the local fleet: where its clusters live and what its functions are told. */
export interface FleetMemberSpec {
  account: string;
  region: string;
  cluster: string;
}

/** One member of the fleet, built in its own account and region of the local AWS. */
export interface FleetMember {
  plan: MemberPlan;
  /** Clients acting in the member's account and region (what its functions call with). */
  clients: AwsClients;
  world: World;
  /** The config compiled into the member's functions: its own clusters only. */
  config: SentinelConfig;
  /** The registrar's and verifier's environment, as a member stack with a hub sets it. */
  env: NodeJS.ProcessEnv;
  /** A queue on the member's default bus taking its public events (what other automation there sees). */
  eventsQueueUrl: string;
}

/** The hub account: its bus, its report queue (the hub function's trigger), its alerting. */
export interface FleetHub {
  plan: HubPlan;
  clients: AwsClients;
  /** The hub's report queue: the hub bus's rule delivers `Findings Reported` to it, the hub function consumes it. */
  reportsQueueUrl: string;
  reportsQueueArn: string;
  alerting: LocalAlerting;
  /** The hub function's environment. */
  env: NodeJS.ProcessEnv;
}

export interface Fleet {
  config: SentinelConfig;
  members: FleetMember[];
  hub: FleetHub;
}

export interface FleetOptions {
  members: FleetMemberSpec[];
  hub: { account: string; region: string };
  /** Fields merged into every cluster's config (ca, tls, ...). */
  clusterConfig?: Record<string, unknown>;
  /** Control-plane groups per cluster (default 1). */
  controlPlaneGroups?: number;
  /** The hub's Slack stand-in, written to its webhook secret. */
  slackUrl?: string;
  /** Alert policy settings of the fleet (reminderHours, fireAfterFailures, ...). */
  alerts?: Record<string, unknown>;
  /** Verifier settings of the fleet (followUpDelaySeconds, ...). */
  verifier?: Record<string, unknown>;
}

/** The pattern of the rules that carry reports: the sentinel's own source, that detail type. */
export const REPORT_PATTERN = JSON.stringify({
  source: [EVENT_SOURCE],
  'detail-type': [DETAIL_TYPES.findingsReported],
});

async function ruleTo(
  clients: AwsClients,
  bus: string,
  name: string,
  pattern: string,
  target: { Id: string; Arn: string; RoleArn?: string },
): Promise<void> {
  await clients.eventbridge.send(
    new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: pattern }),
  );
  await clients.eventbridge.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [target] }));
}

/**
 * The hub bus's policy as the hub stack writes it: PutEvents only from a member account, by its
 * forwarding role, with the sentinel's source. moto stores it but does not enforce it (the hub
 * function's own check is what the tests prove); its statements need a Sid on moto.
 */
function hubBusPolicy(hub: HubPlan, members: readonly MemberPlan[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: members.map((m) => ({
      Sid: `member-${m.account}-${m.region}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${m.account}:root` },
      Action: 'events:PutEvents',
      Resource: hub.busArn,
      Condition: {
        StringEquals: { 'events:source': EVENT_SOURCE },
        ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${m.account}:role/${m.forwardRoleName}` },
      },
    })),
  });
}

async function buildHub(plan: HubPlan, members: readonly MemberPlan[], slackUrl?: string): Promise<FleetHub> {
  const clients = await accountClients(plan.account, plan.region);
  await clients.eventbridge.send(new CreateEventBusCommand({ Name: plan.busName }));
  await clients.eventbridge.send(
    new PutPermissionCommand({ EventBusName: plan.busName, Policy: hubBusPolicy(plan, members) }),
  );
  const reports = await queue(clients, 'kops-api-sentinel-hub-reports');
  await ruleTo(clients, plan.busName, 'kops-api-sentinel-hub-reports', REPORT_PATTERN, {
    Id: 'hub-function',
    Arn: reports.arn,
  });
  const alerting = await createLocalAlerting(clients, {
    name: 'kops-api-sentinel-hub-alerts',
    ...(slackUrl ? { slackUrl } : {}),
  });
  return {
    plan,
    clients,
    reportsQueueUrl: reports.url,
    reportsQueueArn: reports.arn,
    alerting,
    env: {
      [ENV.ALERT_TABLE_NAME]: alerting.tableName,
      [ENV.ALERT_TOPIC_ARN]: alerting.topicArn,
      [ENV.EVENT_BUS_NAME]: 'default',
      [ENV.HUB_QUEUE_ARN]: reports.arn,
      [ENV.HUB_QUEUE_URL]: reports.url,
    },
  };
}

/** A member's report bus, forwarded to the hub's; its table (follow-up claims) and follow-up queue; no topic. */
async function wireMember(
  plan: MemberPlan,
  hub: HubPlan,
  clients: AwsClients,
): Promise<{ env: NodeJS.ProcessEnv; eventsQueueUrl: string }> {
  await clients.eventbridge.send(new CreateEventBusCommand({ Name: plan.reportBusName }));
  await ruleTo(clients, plan.reportBusName, `${plan.stackName}-to-hub`, REPORT_PATTERN, {
    Id: 'hub-bus',
    Arn: hub.busArn,
    RoleArn: `arn:aws:iam::${plan.account}:role/${plan.forwardRoleName}`,
  });
  const tableName = `${plan.stackName}-state`;
  await createAlertTable(clients, tableName);
  const followUps = await queue(clients, `${plan.stackName}-follow-ups`);
  const events = await queue(clients, `${plan.stackName}-public-events`);
  await ruleTo(
    clients,
    'default',
    `${plan.stackName}-public-events`,
    JSON.stringify({ source: [EVENT_SOURCE] }),
    {
      Id: 'public-events',
      Arn: events.arn,
    },
  );
  return {
    eventsQueueUrl: events.url,
    env: {
      [ENV.REPORT_BUS_NAME]: plan.reportBusName,
      [ENV.EVENT_BUS_NAME]: 'default',
      [ENV.ALERT_TABLE_NAME]: tableName,
      [ENV.FOLLOW_UP_QUEUE_URL]: followUps.url,
    },
  };
}

/**
 * A fleet in the local AWS, from one config: kops-shaped clusters in each member account and
 * region (sandbox/world.ts, with that account's clients), each member's report bus forwarding to
 * the hub's bus, and the hub's alerting. The stacks' names come from planFleet, as deployed.
 */
export async function buildFleet(opts: FleetOptions): Promise<Fleet> {
  const built: { spec: FleetMemberSpec; clients: AwsClients; world: World }[] = [];
  for (const spec of opts.members) {
    const clients = await accountClients(spec.account, spec.region);
    const world = await buildWorld(clients, {
      name: spec.cluster,
      account: spec.account,
      region: spec.region,
      controlPlaneGroups: opts.controlPlaneGroups ?? 1,
      ...(opts.clusterConfig ? { clusterConfig: opts.clusterConfig } : {}),
    });
    built.push({ spec, clients, world });
  }
  const config = parseConfig(
    {
      clusters: built.flatMap((b) => b.world.config.clusters),
      // a hub needs an address for the members' own alarms (schema.ts)
      alerts: { email: ['oncall@example.com'], ...(opts.alerts ?? {}), hub: opts.hub },
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
    },
    'sandbox fleet',
  );
  const fleet = planFleet(config);
  if (!fleet.hub) throw new Error('the sandbox fleet has no hub');
  const hub = await buildHub(fleet.hub, fleet.members, opts.slackUrl);
  const members: FleetMember[] = [];
  for (const plan of fleet.members) {
    const b = built.find((x) => x.spec.account === plan.account && x.spec.region === plan.region);
    if (!b) throw new Error(`no world was built for member ${plan.id}`);
    const wired = await wireMember(plan, fleet.hub, b.clients);
    members.push({ plan, clients: b.clients, world: b.world, config: memberConfig(config, plan), ...wired });
  }
  return { config, members, hub };
}
