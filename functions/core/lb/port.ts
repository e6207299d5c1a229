import type { ClusterConfig } from '../config/schema.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';

/** A configured internal load balancer: a classic ELB by name, or an NLB target group by ARN. */
export type LoadBalancerRef = { kind: 'classic'; name: string } | { kind: 'target-group'; arn: string };

/** What a load balancer says is registered on it; `undefined` registrations mean it does not exist. */
export interface RegistrationState {
  ref: LoadBalancerRef;
  label: string;
  exists: boolean;
  /** Instances registered on any port. */
  instanceIds: Set<string>;
  /**
   * Target groups only: the ports each instance is registered on (DescribeTargetHealth's
   * `Target.Port`). A registration counts only on the cluster's `api.instancePort`; a classic ELB
   * has no per-instance port (its listener's InstancePort is the listener check's).
   */
  ports?: Map<string, number[]>;
}

/** True when the instance is registered on the port the apiserver listens on. */
export function registeredOnPort(reg: RegistrationState, id: string, instancePort: number): boolean {
  if (!reg.instanceIds.has(id)) return false;
  const ports = reg.ports?.get(id);
  return !ports?.length || ports.includes(instancePort);
}

/** The other ports an instance is registered on (target groups only). */
export function wrongPorts(reg: RegistrationState, id: string, instancePort: number): number[] {
  return (reg.ports?.get(id) ?? []).filter((p) => p !== instancePort);
}

/** What a port needs to know of a group to tell whether it is attached to it. */
export type Attachments = Pick<ControlPlaneGroup, 'loadBalancerNames' | 'targetGroupArns'>;

/** Whether a group's attachments name the load balancer (read from the group's own description). */
export function isAttachedTo(ref: LoadBalancerRef, group: Attachments): boolean {
  return ref.kind === 'classic'
    ? group.loadBalancerNames.includes(ref.name)
    : group.targetGroupArns.includes(ref.arn);
}

/**
 * The load-balancer port: one interface, a classic-ELB adapter and a target-group adapter
 * behind it. Reads are batched by the adapters; writes take instance ids.
 */
export interface LoadBalancerPort {
  readonly ref: LoadBalancerRef;
  readonly label: string;
  attach(groupName: string): Promise<void>;
  /** Registers on the cluster's instance port. */
  register(instanceIds: string[]): Promise<void>;
  /** Deregisters every registration of the instances, on whatever port. Already gone is success. */
  deregister(instanceIds: string[]): Promise<void>;
  /** Target groups: deregisters only the given ports' registrations of one instance. */
  deregisterPorts?(instanceId: string, ports: number[]): Promise<void>;
  /** Target groups: the ports an instance is registered on now, read again. */
  portsNow?(instanceId: string): Promise<number[]>;
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
