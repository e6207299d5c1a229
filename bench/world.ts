import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import { parseConfig } from '../functions/core/config/load.ts';
import type { SentinelConfig, SentinelConfigInput } from '../functions/core/config/schema.ts';
import {
  createInternalLoadBalancers,
  createKopsCluster,
  createNetwork,
  type InternalLoadBalancers,
} from '../sandbox/kops-account.ts';
import { settleClassicElb } from '../sandbox/world.ts';

/**
 * A kops-shaped account with many clusters (sandbox/world.ts builds one): one VPC, and per cluster
 * its control-plane groups (kops 1.26+ naming, one instance each) attached to the cluster's own
 * internal classic ELB and NLB target group, and its CA in an SSM parameter (the recommended source).
 */
export const BENCH_DOMAIN = 'bench.example.com';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] as const;
const MAX_CLUSTERS = 20;

export const clusterName = (i: number): string => `c${i}.${BENCH_DOMAIN}`;
export const apiHostname = (cluster: string): string => `api.internal.${cluster}`;

export interface BenchCluster {
  name: string;
  groups: string[];
  lbs: InternalLoadBalancers;
}

export interface BenchWorld {
  config: SentinelConfig;
  clusters: BenchCluster[];
}

export interface BenchWorldOptions {
  clusters: number;
  /** Control-plane groups per cluster, one per zone (1–3). */
  groupsPerCluster: number;
  /** The PEM bundle stored as every cluster's CA. */
  caPem: string;
}

export async function buildBenchWorld(clients: AwsClients, opts: BenchWorldOptions): Promise<BenchWorld> {
  if (opts.clusters < 1 || opts.clusters > MAX_CLUSTERS) throw new Error(`1–${MAX_CLUSTERS} clusters`);
  const zones = ZONES.slice(0, Math.min(Math.max(opts.groupsPerCluster, 1), ZONES.length));
  const net = await createNetwork(clients, [...ZONES]);
  const clusters: BenchCluster[] = [];
  const input: SentinelConfigInput['clusters'] = [];
  for (let i = 0; i < opts.clusters; i++) {
    const name = clusterName(i);
    const lbs = await createInternalLoadBalancers(clients, net, {
      classic: `c${i}-api-internal`,
      nlb: `c${i}-api-internal-nlb`,
      targetGroup: `c${i}-api-internal-tcp`,
    });
    const { controlPlaneGroups } = await createKopsCluster(clients, net, {
      name,
      zones,
      naming: 'control-plane',
      attach: { classic: [lbs.classicName], targetGroupArns: [lbs.targetGroupArn] },
    });
    await settleClassicElb(clients, controlPlaneGroups, lbs.classicName);
    const parameterName = `/kops-api-sentinel/${name}/ca-bundle`;
    await clients.ssm.send(
      new PutParameterCommand({ Name: parameterName, Type: 'String', Value: opts.caPem, Overwrite: true }),
    );
    clusters.push({ name, groups: controlPlaneGroups, lbs });
    input.push({
      name,
      account: '123456789012',
      region: process.env.AWS_REGION ?? 'eu-west-1',
      vpcId: net.vpcId,
      nodeSubnetIds: net.subnetIds,
      nodeSecurityGroupId: net.nodeSecurityGroupId,
      loadBalancers: { classic: [lbs.classicName], targetGroupArns: [lbs.targetGroupArn] },
      mode: 'repair',
      ca: { source: 'ssm', parameterName },
    });
  }
  return { config: parseConfig({ clusters: input }, 'bench world'), clusters };
}

/** Sets every control-plane group to `instances` instances (moto launches them at once), as AWS would register them. */
export async function scaleControlPlane(
  clients: AwsClients,
  world: BenchWorld,
  instances: number,
): Promise<void> {
  for (const c of world.clusters) {
    for (const g of c.groups) {
      await clients.autoscaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: g,
          MinSize: instances,
          MaxSize: instances,
          DesiredCapacity: instances,
        }),
      );
    }
    await settleClassicElb(clients, c.groups, c.lbs.classicName);
  }
}
