import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { ClassicElbPort } from './classic.ts';
import type { LoadBalancerRef, RegistrationState } from './port.ts';
import { refsOf } from './port.ts';
import { TargetGroupPort } from './target-group.ts';

/** A configured load balancer's adapter; which one it is reads from its ref (data), not its class. */
export type Adapter = ClassicElbPort | TargetGroupPort;

export const isTargetGroup = (a: Adapter): a is TargetGroupPort => a.ref.kind === 'target-group';
export const isClassic = (a: Adapter): a is ClassicElbPort => a.ref.kind === 'classic';

/** The adapter of one configured load balancer; target groups register on `api.instancePort`. */
export function adapterFor(ref: LoadBalancerRef, cluster: ClusterConfig, clients: AwsClients): Adapter {
  return ref.kind === 'classic'
    ? new ClassicElbPort(clients, ref.name)
    : new TargetGroupPort(clients, ref.arn, cluster.api.instancePort);
}

/** The adapters of a cluster's configured load balancers, classic ELBs first (the config's order). */
export function adaptersOf(cluster: ClusterConfig, clients: AwsClients): Adapter[] {
  return refsOf(cluster).map((ref) => adapterFor(ref, cluster, clients));
}

/** Registered targets by instance, with the ports each is registered on. */
export function targetRegistrations(
  targets: readonly { id: string; port?: number | undefined }[],
): Pick<RegistrationState, 'instanceIds' | 'ports'> {
  const ports = new Map<string, number[]>();
  for (const { id, port } of targets) {
    if (!id) continue;
    const list = ports.get(id) ?? [];
    if (port !== undefined && !list.includes(port)) list.push(port);
    ports.set(id, list);
  }
  return { instanceIds: new Set(ports.keys()), ports };
}
