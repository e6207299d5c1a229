import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancersCommand as DescribeNlbsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListTopicsCommand } from '@aws-sdk/client-sns';
import { DETAIL_TYPES } from '../../functions/core/alerts/events.ts';
import type { MachineAlert } from '../../functions/core/alerts/messages.ts';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { ENV } from '../../functions/shared/env.ts';
import { accountClients } from '../accounts.ts';
import type { FleetMember } from '../fleet.ts';
import { drain } from '../local-alerting.ts';
import type { FleetStage } from './fleet-story.ts';

const clusterOf = (m: FleetMember): string => m.plan.clusters[0]?.name ?? '';

/** `dev.a.example.com (111111111111, eu-west-1)`: how the timeline names a member's cluster. */
export const placeOf = (m: FleetMember): string => `${clusterOf(m)} (${m.plan.account}, ${m.plan.region})`;

/** The words every alert message uses for where its cluster lives (functions/core/alerts/messages.ts). */
const placeWords = (m: FleetMember): string => `account ${m.plan.account}, region ${m.plan.region}`;

/** A report the hub believed: the sender EventBridge stamped on it, and the cluster it was about. */
export interface Believed {
  account: string;
  region: string;
  cluster: string;
}

/** Each member's report of one round reached the hub, from that member's account and region, and was believed. */
export function checkReports(s: FleetStage, believed: readonly Believed[]): void {
  const missing = s.cast.filter(
    (c) =>
      believed.filter(
        (b) =>
          b.account === c.member.plan.account &&
          b.region === c.member.plan.region &&
          b.cluster === clusterOf(c.member),
      ).length !== 1,
  );
  s.timeline.expect(
    "every member's report reaches the hub, stamped with its own account and region, and is believed",
    missing.length === 0 && believed.length === s.cast.length,
    believed.map((b) => `${b.cluster} from ${b.account} in ${b.region}`).join(', '),
  );
}

/**
 * One alert of `kind` per member since `from` (in the alerts and in Slack), about that member's
 * cause, naming its own cluster, account and region and no other member's account.
 */
export function checkAlerts(s: FleetStage, kind: MachineAlert['kind'], from: number): void {
  const alerts = s.alerts.slice(from);
  const posts = s.slack.slice(from).map((p) => JSON.stringify(p));
  const verb = kind === 'fire' ? 'fires' : 'resolves';
  for (const c of s.cast) {
    const m = c.member;
    const mine = alerts.filter((a) => a.cluster === clusterOf(m));
    s.timeline.expect(
      `${placeOf(m)}: one alert ${verb}, for ${c.cause.code}, with its account and region`,
      mine.length === 1 &&
        mine[0]?.kind === kind &&
        mine[0].code === c.cause.code &&
        mine[0].account === m.plan.account &&
        mine[0].region === m.plan.region,
      mine.map((a) => `${a.kind} ${a.code} (${a.account}, ${a.region})`).join(', '),
    );
    const others = s.cast.filter((o) => o !== c).map((o) => o.member.plan.account);
    const said = posts.filter((p) => p.includes(clusterOf(m)));
    s.timeline.expect(
      `${placeOf(m)}: one Slack message, naming ${c.cause.code}, "${placeWords(m)}" and no other account`,
      said.length === 1 &&
        said.every(
          (p) => p.includes(c.cause.code) && p.includes(placeWords(m)) && others.every((o) => !p.includes(o)),
        ),
      `${said.length} Slack posts`,
    );
  }
  s.timeline.expect(
    `no other alert ${verb}, and no other Slack message`,
    alerts.length === s.cast.length && posts.length === s.cast.length,
    `${alerts.length} alerts, ${posts.length} Slack posts for ${s.cast.length} causes`,
  );
}

/** How many of a kind of resource an account holds in a region: none is what the hub must hold of a cluster's. */
async function clusterResources(clients: AwsClients): Promise<number> {
  const groups = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  const classic = await clients.elb.send(new DescribeLoadBalancersCommand({}));
  const nlbs = await clients.elbv2.send(new DescribeNlbsCommand({}));
  const instances = await clients.ec2.send(new DescribeInstancesCommand({}));
  return (
    (groups.AutoScalingGroups?.length ?? 0) +
    (classic.LoadBalancerDescriptions?.length ?? 0) +
    (nlbs.LoadBalancers?.length ?? 0) +
    (instances.Reservations?.length ?? 0)
  );
}

/** A member's alert records (its table keeps follow-up claims only) and topics: none with a hub. */
async function memberAlerting(m: FleetMember): Promise<{ records: number; topics: number }> {
  const items = await m.clients.dynamodb.send(
    new ScanCommand({ TableName: String(m.env[ENV.ALERT_TABLE_NAME]) }),
  );
  const topics = await m.clients.sns.send(new ListTopicsCommand({}));
  return {
    records: (items.Items ?? []).filter((i) => i.alertKey !== undefined).length,
    topics: topics.Topics?.length ?? 0,
  };
}

/** Nothing crossed between accounts but the events: members hold no alerting, the hub no cluster. */
export async function checkIsolation(s: FleetStage): Promise<void> {
  for (const c of s.cast) {
    const m = c.member;
    const { records, topics } = await memberAlerting(m);
    s.timeline.expect(
      `${placeOf(m)}: holds no alert record and no alert topic`,
      records === 0 && topics === 0,
      `${records} alert records, ${topics} topics`,
    );
    const events = (await drain(m.clients, m.eventsQueueUrl, async () => undefined)).map(
      (b) => JSON.parse(b) as { account?: string; 'detail-type'?: string; detail?: { cluster?: string } },
    );
    const foreign = events.filter(
      (e) =>
        e.account !== m.plan.account ||
        e.detail?.cluster !== clusterOf(m) ||
        e['detail-type'] === DETAIL_TYPES.findingsReported ||
        e['detail-type'] === DETAIL_TYPES.driftDetected,
    );
    s.timeline.expect(
      `${placeOf(m)}: its default bus carries its own cluster's public events only`,
      events.length > 0 && foreign.length === 0,
      `${events.length} events, ${foreign.length} not its own`,
    );
  }
  const { hub } = s.fleet;
  let held = await clusterResources(hub.clients);
  for (const region of new Set(s.cast.map((c) => c.member.plan.region)))
    held += await clusterResources(await accountClients(hub.plan.account, region));
  const items = await hub.clients.dynamodb.send(new ScanCommand({ TableName: hub.alerting.tableName }));
  const clusters = new Set((items.Items ?? []).map((i) => i.cluster?.S));
  s.timeline.expect(
    `the hub's account ${hub.plan.account} holds no cluster resources (in any region of the fleet), and every member's alert records`,
    held === 0 && s.cast.every((c) => clusters.has(clusterOf(c.member))),
    `${held} cluster resources; alert records of ${[...clusters].join(', ')}`,
  );
}
