/**
 * Builds pictures for the planner's table tests: what discovery, the load balancers, EC2 and Auto
 * Scaling would have said, written as plain data. No AWS, no moto.
 */
import { parseConfig } from '../../../functions/core/config/load.ts';
import type { ClusterConfig } from '../../../functions/core/config/schema.ts';
import type { ControlPlaneGroup } from '../../../functions/core/discovery/control-plane.ts';
import type { Finding } from '../../../functions/core/findings/finding.ts';
import { type LoadBalancerRef, labelOf, refsOf } from '../../../functions/core/lb/port.ts';
import { targetRegistrations } from '../../../functions/core/lb/registrations.ts';
import type { OtherGroup } from '../../../functions/core/observe/holders.ts';
import type { InstanceFacts } from '../../../functions/core/observe/instances.ts';
import type { LbState } from '../../../functions/core/observe/lb-state.ts';
import type { Picture } from '../../../functions/core/observe/picture.ts';
import { scopeForCluster, scopeForGroup } from '../../../functions/core/observe/scope.ts';
import type { Step } from '../../../functions/core/plan/steps.ts';

export const CLUSTER = 'k8s.example.com';
export const ELB = 'k8s-api-internal';
export const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/k8s-api/0123456789abcdef';
export const E = 'elb/k8s-api-internal';
export const T = 'targetgroup/k8s-api/0123456789abcdef';
export const G1 = 'control-plane-eu-west-1a.masters.k8s.example.com';
export const G2 = 'control-plane-eu-west-1b.masters.k8s.example.com';
export const NODES = 'nodes-eu-west-1a.k8s.example.com';

/** Instance ids by short name: i1 → i-00000000000000001. */
export const id = (n: number) => `i-${String(n).padStart(17, '0')}`;

export function clusterConfig(lbs: { classic?: string[]; tgs?: string[]; instancePort?: number } = {}) {
  const cfg = parseConfig({
    clusters: [
      {
        name: CLUSTER,
        account: '123456789012',
        region: 'eu-west-1',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        nodeSubnetIds: ['subnet-0a1b2c3d4e5f60718'],
        nodeSecurityGroupId: 'sg-0a1b2c3d4e5f60718',
        loadBalancers: { classic: lbs.classic ?? [ELB], targetGroupArns: lbs.tgs ?? [TG] },
        ...(lbs.instancePort ? { api: { instancePort: lbs.instancePort } } : {}),
      },
    ],
  });
  return cfg.clusters[0] as ClusterConfig;
}

export interface GroupSpec {
  name?: string;
  /** instance number → lifecycle state (InService when only numbers are given). */
  instances?: Record<number, string> | number[];
  /** Load balancers attached to the group (both configured ones by default). */
  attached?: ('classic' | 'tg')[];
}

export function group(spec: GroupSpec = {}): ControlPlaneGroup {
  const entries: [number, string][] = Array.isArray(spec.instances)
    ? spec.instances.map((n) => [n, 'InService'])
    : Object.entries(spec.instances ?? { 1: 'InService' }).map(([n, s]) => [Number(n), s]);
  const attached = spec.attached ?? ['classic', 'tg'];
  return {
    name: spec.name ?? G1,
    cluster: CLUSTER,
    role: 'control-plane',
    instances: entries.map(([n, lifecycleState]) => ({
      instanceId: id(n),
      lifecycleState,
      healthStatus: 'Healthy',
      availabilityZone: 'eu-west-1a',
    })),
    loadBalancerNames: attached.includes('classic') ? [ELB] : [],
    targetGroupArns: attached.includes('tg') ? [TG] : [],
  };
}

/** EC2's word on an instance: its state and whose it is by its tags. */
export interface Ec2Spec {
  state?: string;
  /** `backend` (control plane of the cluster), `node` (node of the cluster), `other` (another cluster), `untagged`. */
  is?: 'backend' | 'node' | 'other' | 'other-k8s-tag' | 'untagged';
}

function tags(is: Ec2Spec['is']): Map<string, string> {
  switch (is ?? 'backend') {
    case 'backend':
      return new Map([
        ['KubernetesCluster', CLUSTER],
        ['k8s.io/role/control-plane', '1'],
      ]);
    case 'node':
      return new Map([
        ['KubernetesCluster', CLUSTER],
        ['k8s.io/role/node', '1'],
      ]);
    case 'other':
      return new Map([
        ['KubernetesCluster', 'old.example.com'],
        ['k8s.io/role/control-plane', '1'],
      ]);
    case 'other-k8s-tag':
      return new Map([['kubernetes.io/cluster/old.example.com', 'owned']]);
    default:
      return new Map();
  }
}

export interface WorldSpec {
  lbs?: { classic?: string[]; tgs?: string[]; instancePort?: number };
  groups?: GroupSpec[];
  /** `sweep` (the default: every group, prunes unknown ids), or an event on the first group. */
  scope?: 'sweep' | 'group' | { kind: 'launch' | 'terminate'; n: number };
  /** What each load balancer has registered: instance number → ports (target groups), `absent` when it does not exist. */
  classic?: number[] | 'absent';
  tg?: Record<number, number[]> | 'absent';
  /** EC2's answers; an instance not listed is unknown to EC2. Defaults: every group instance runs as a backend. */
  ec2?: Record<number, Ec2Spec>;
  /** Auto Scaling's answer for unknown ids: the other group that keeps each. */
  heldBy?: Record<number, { group: string; attached?: ('classic' | 'tg')[] }>;
}

function lbState(ref: LoadBalancerRef, spec: WorldSpec): LbState {
  const label = labelOf(ref);
  const base = { ref, label, instances: [], frontends: [] };
  if (ref.kind === 'classic') {
    if (spec.classic === 'absent') return { ...base, exists: false, instanceIds: new Set() };
    return { ...base, exists: true, instanceIds: new Set((spec.classic ?? []).map(id)) };
  }
  if (spec.tg === 'absent') return { ...base, exists: false, instanceIds: new Set(), ports: new Map() };
  return {
    ...base,
    exists: true,
    ...targetRegistrations(
      Object.entries(spec.tg ?? {}).flatMap(([n, ports]) =>
        ports.map((port) => ({ id: id(Number(n)), port })),
      ),
    ),
  };
}

/** A picture as observe would build it from these answers. */
export function picture(spec: WorldSpec = {}): Picture {
  const cluster = clusterConfig(spec.lbs);
  const groups = (spec.groups ?? [{}]).map(group);
  const first = groups[0] as ControlPlaneGroup;
  const scope =
    spec.scope === undefined || spec.scope === 'sweep'
      ? scopeForCluster(cluster, groups)
      : spec.scope === 'group'
        ? scopeForGroup(cluster, first, undefined)
        : scopeForGroup(cluster, first, { kind: spec.scope.kind, instanceId: id(spec.scope.n) });
  const ec2Spec: Record<number, Ec2Spec> =
    spec.ec2 ??
    Object.fromEntries(groups.flatMap((g) => g.instances.map((i) => [Number(i.instanceId.slice(2)), {}])));
  const instances = new Map<string, InstanceFacts>(
    Object.entries(ec2Spec).map(([n, e]) => [
      id(Number(n)),
      { instanceId: id(Number(n)), state: e.state ?? 'running', tags: tags(e.is) },
    ]),
  );
  const holders = new Map<string, OtherGroup>(
    Object.entries(spec.heldBy ?? {}).map(([n, h]) => {
      const attached = h.attached ?? [];
      return [
        id(Number(n)),
        {
          name: h.group,
          loadBalancerNames: attached.includes('classic') ? [ELB] : [],
          targetGroupArns: attached.includes('tg') ? [TG] : [],
        },
      ];
    }),
  );
  return {
    scope,
    lbs: refsOf(cluster).map((ref) => lbState(ref, spec)),
    instances,
    described: new Set(instances.keys()),
    holders,
    heldLookedUp: new Set(holders.keys()),
  };
}

/** A finding as the tables write it: code, resource and action. */
export const brief = (f: Pick<Finding, 'code' | 'resource' | 'action'>) =>
  `${f.code} ${f.resource} ${f.action}`;

/** A step as the tables write it. */
export function stepText(s: Step): string {
  switch (s.kind) {
    case 'attach':
      return `attach ${s.lb} ${s.group}`;
    case 'register':
      return `register ${s.lb} ${s.ids.join(',')}`;
    case 'deregister':
      return `deregister ${s.lb} ${s.ids.join(',')}`;
    case 'deregisterPorts':
      return `deregisterPorts ${s.lb} ${s.id} ${s.ports.join(',')}${s.after !== undefined ? ` after ${s.after}` : ''}`;
  }
}
