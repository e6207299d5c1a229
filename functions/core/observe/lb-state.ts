import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { type Adapter, adaptersOf } from '../lb/registrations.ts';
import { readClassic } from './lb-classic.ts';
import { readTargetGroups } from './lb-target-group.ts';
import { absent, type LbState, type ReadOptions } from './lb-types.ts';

export type { Frontend, InstanceHealth, LbState, ReadOptions } from './lb-types.ts';

/**
 * Reads the given load balancers of a cluster: every classic ELB in one DescribeLoadBalancers,
 * each target group with one DescribeTargetHealth, in parallel. With `health`, also each classic
 * ELB's instance health, and each target group's description, load balancers and listeners.
 * Returned in the adapters' order.
 */
export async function readLbStates(
  clients: AwsClients,
  cluster: ClusterConfig,
  adapters: readonly Adapter[],
  opts: ReadOptions = {},
): Promise<LbState[]> {
  const [classic, tgs] = await Promise.all([
    readClassic(clients, cluster, adapters, opts),
    readTargetGroups(clients, cluster, adapters, opts),
  ]);
  const byLabel = new Map([...classic, ...tgs].map((s) => [s.label, s]));
  return adapters.map((a) => byLabel.get(a.label) ?? absent(a));
}

/** Every configured load balancer of a cluster (the follow-up's view of one instance's registrations). */
export function readClusterLbs(clients: AwsClients, cluster: ClusterConfig, opts: ReadOptions = {}) {
  return readLbStates(clients, cluster, adaptersOf(cluster, clients), opts);
}
