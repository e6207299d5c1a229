import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeLoadBalancersCommand,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import { parseConfig } from '../functions/core/config/load.ts';
import type { SentinelConfig, SentinelConfigInput } from '../functions/core/config/schema.ts';
import {
  createInternalLoadBalancers,
  createKopsCluster,
  createNetwork,
  type InternalLoadBalancers,
} from './kops-account.ts';

export const CLUSTER = 'k8s.example.com';
export const OLD_CLUSTER = 'legacy.example.com';
export const OTHER_CLUSTER = 'other.example.com';
const ZONE_LETTERS = ['a', 'b', 'c', 'a', 'b'];

export interface World {
  config: SentinelConfig;
  lbs: InternalLoadBalancers;
  /** Control-plane groups of the main cluster (kops 1.26+ naming). */
  groups: string[];
  nodeGroup: string;
  oldGroups: string[];
  oldClassicName?: string;
  otherGroups: string[];
  subnetIds: string[];
}

export interface WorldOptions {
  controlPlaneGroups?: number;
  /** A second configured cluster built by kops before 1.26 (master-<zone> groups, master role tag only). */
  oldCluster?: boolean;
  /** A control-plane group of a cluster that is not configured. */
  otherCluster?: boolean;
  mode?: 'repair' | 'report-only';
  /** Extra fields merged into the main cluster's config (ca, api, ...). */
  clusterConfig?: Record<string, unknown>;
  /** Extra top-level config sections (alerts, verifier, ...). */
  sentinelConfig?: Record<string, unknown>;
  /** The main cluster's name (default CLUSTER). */
  name?: string;
  /** The account and region the clients act in (default 123456789012, AWS_REGION or eu-west-1). */
  account?: string;
  region?: string;
}

/**
 * A kops-shaped account in the local AWS, and the sentinel config that describes it: the main
 * cluster's control-plane groups attached to an internal classic ELB and an NLB target group,
 * as `externalLoadBalancers` would leave them.
 */
export async function buildWorld(clients: AwsClients, opts: WorldOptions = {}): Promise<World> {
  const count = opts.controlPlaneGroups ?? 3;
  const account = opts.account ?? '123456789012';
  const region = opts.region ?? process.env.AWS_REGION ?? 'eu-west-1';
  const name = opts.name ?? CLUSTER;
  const zones = ZONE_LETTERS.slice(0, Math.max(1, Math.min(count, ZONE_LETTERS.length))).map(
    (z) => `${region}${z}`,
  );
  const net = await createNetwork(clients, [...new Set(zones)]);
  const lbs = await createInternalLoadBalancers(clients, net, {
    classic: 'k8s-api-internal',
    nlb: 'k8s-api-internal-nlb',
    targetGroup: 'k8s-api-internal-tcp',
  });
  const main = await createKopsCluster(clients, net, {
    name,
    zones,
    naming: 'control-plane',
    attach: { classic: [lbs.classicName], targetGroupArns: [lbs.targetGroupArn] },
    nodeGroup: true,
  });
  const world: World = {
    config: undefined as unknown as SentinelConfig,
    lbs,
    groups: main.controlPlaneGroups,
    nodeGroup: main.nodeGroup ?? '',
    oldGroups: [],
    otherGroups: [],
    subnetIds: net.subnetIds,
  };
  const clusters: SentinelConfigInput['clusters'] = [
    {
      name,
      account,
      region,
      vpcId: net.vpcId,
      nodeSubnetIds: net.subnetIds,
      nodeSecurityGroupId: net.nodeSecurityGroupId,
      loadBalancers: { classic: [lbs.classicName], targetGroupArns: [lbs.targetGroupArn] },
      mode: opts.mode ?? 'repair',
      ...(opts.clusterConfig ?? {}),
    },
  ];
  if (opts.oldCluster) {
    const oldLbs = await createInternalLoadBalancers(clients, net, {
      classic: 'legacy-api-internal',
      nlb: 'legacy-api-nlb',
      targetGroup: 'legacy-api-tcp',
    });
    const old = await createKopsCluster(clients, net, {
      name: OLD_CLUSTER,
      zones: [`${region}a`],
      naming: 'master',
      attach: { classic: [oldLbs.classicName] },
    });
    world.oldGroups = old.controlPlaneGroups;
    world.oldClassicName = oldLbs.classicName;
    clusters.push({
      name: OLD_CLUSTER,
      account,
      region,
      vpcId: net.vpcId,
      nodeSubnetIds: net.subnetIds,
      nodeSecurityGroupId: net.nodeSecurityGroupId,
      loadBalancers: { classic: [oldLbs.classicName] },
      mode: opts.mode ?? 'repair',
    });
  }
  if (opts.otherCluster) {
    const other = await createKopsCluster(clients, net, {
      name: OTHER_CLUSTER,
      zones: [`${region}b`],
      naming: 'control-plane',
    });
    world.otherGroups = other.controlPlaneGroups;
  }
  world.config = parseConfig({ ...(opts.sentinelConfig ?? {}), clusters }, 'sandbox world');
  await settleClassicElb(clients, world.groups, lbs.classicName);
  return world;
}

/**
 * moto quirk: every Auto Scaling change sets a classic ELB's instances to that one group's, so
 * an ELB shared by three groups ends up holding only the last group's instances. Real AWS adds
 * them all; register them all, as AWS would have, so the world starts the way kops leaves it.
 */
export async function settleClassicElb(
  clients: AwsClients,
  groups: string[],
  classicName: string,
): Promise<void> {
  const res = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups }),
  );
  const ids = (res.AutoScalingGroups ?? []).flatMap((g) =>
    (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId ?? ''),
  );
  const have = new Set(
    (
      await clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [classicName] }))
    ).LoadBalancerDescriptions?.[0]?.Instances?.map((i) => i.InstanceId) ?? [],
  );
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length === 0) return;
  await clients.elb.send(
    new RegisterInstancesWithLoadBalancerCommand({
      LoadBalancerName: classicName,
      Instances: missing.map((InstanceId) => ({ InstanceId })),
    }),
  );
}
