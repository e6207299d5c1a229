import type { ClusterConfig } from '../config/schema.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';

/** A configured internal load balancer: a classic ELB by name, or an NLB target group by ARN. */
export type LoadBalancerRef = { kind: 'classic'; name: string } | { kind: 'target-group'; arn: string };

/** What a load balancer says is registered on it; `undefined` registrations mean it does not exist. */
export interface RegistrationState {
  ref: LoadBalancerRef;
  label: string;
  exists: boolean;
  instanceIds: Set<string>;
}

/**
 * The load-balancer port: one interface, a classic-ELB adapter and a target-group adapter
 * behind it. Reads are batched by the adapters; writes take instance ids.
 */
export interface LoadBalancerPort {
  readonly ref: LoadBalancerRef;
  readonly label: string;
  isAttached(group: ControlPlaneGroup): boolean;
  attach(groupName: string): Promise<void>;
  register(instanceIds: string[]): Promise<void>;
  /** Deregistering what is already gone is success. */
  deregister(instanceIds: string[]): Promise<void>;
}

export function refsOf(cluster: ClusterConfig): LoadBalancerRef[] {
  return [
    ...cluster.loadBalancers.classic.map((name) => ({ kind: 'classic' as const, name })),
    ...cluster.loadBalancers.targetGroupArns.map((arn) => ({ kind: 'target-group' as const, arn })),
  ];
}

/** A short, stable resource label: `elb/<name>` or `targetgroup/<name>/<id>`. */
export function labelOf(ref: LoadBalancerRef): string {
  if (ref.kind === 'classic') return `elb/${ref.name}`;
  const idx = ref.arn.indexOf(':targetgroup/');
  return idx >= 0 ? ref.arn.slice(idx + 1) : ref.arn;
}
