import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { ClassicElbPort, describeClassic } from './classic.ts';
import type { LoadBalancerPort, RegistrationState } from './port.ts';
import { refsOf } from './port.ts';
import { TargetGroupPort } from './target-group.ts';

export function portsOf(cluster: ClusterConfig, clients: AwsClients): LoadBalancerPort[] {
  return refsOf(cluster).map((ref) =>
    ref.kind === 'classic'
      ? new ClassicElbPort(clients, ref.name)
      : new TargetGroupPort(clients, ref.arn, cluster.api.instancePort),
  );
}

/**
 * Reads what is registered on each port: one DescribeLoadBalancers for all classic ELBs and one
 * DescribeTargetHealth per target group, in parallel.
 */
export async function readRegistrations(
  clients: AwsClients,
  ports: readonly LoadBalancerPort[],
): Promise<Map<string, RegistrationState>> {
  const classic = ports.filter((p): p is ClassicElbPort => p instanceof ClassicElbPort);
  const groups = ports.filter((p): p is TargetGroupPort => p instanceof TargetGroupPort);
  const [classicDesc, tgDesc] = await Promise.all([
    describeClassic(
      clients,
      classic.map((p) => p.name),
    ),
    Promise.all(groups.map((p) => p.describe())),
  ]);
  const out = new Map<string, RegistrationState>();
  for (const p of classic) {
    const d = classicDesc.get(p.name);
    out.set(p.label, {
      ref: p.ref,
      label: p.label,
      exists: d !== undefined,
      instanceIds: new Set((d?.Instances ?? []).map((i) => i.InstanceId ?? '').filter(Boolean)),
    });
  }
  groups.forEach((p, i) => {
    const d = tgDesc[i];
    // A draining target is on its way out: it no longer counts as registered.
    const live = (d ?? []).filter((t) => t.TargetHealth?.State !== 'draining');
    out.set(p.label, {
      ref: p.ref,
      label: p.label,
      exists: d !== undefined,
      ...targetRegistrations(live.map((t) => ({ id: t.Target?.Id ?? '', port: t.Target?.Port }))),
    });
  });
  return out;
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
