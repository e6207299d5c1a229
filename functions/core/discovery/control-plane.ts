import {
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  type Filter,
} from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { type BackendRole, hasRole, NAME_INFIX, ROLE_TAGS, taggedForCluster } from './tags.ts';

export type { BackendRole } from './tags.ts';
export { isControlPlaneInstance, NAME_INFIX, taggedForCluster } from './tags.ts';

/** One instance as its Auto Scaling group sees it. */
export interface GroupInstance {
  instanceId: string;
  lifecycleState: string;
  healthStatus: string;
  availabilityZone: string;
}

/** An API-backend Auto Scaling group of a configured cluster: a control-plane or an API-server group. */
export interface ControlPlaneGroup {
  name: string;
  cluster: string;
  role: BackendRole;
  instances: GroupInstance[];
  loadBalancerNames: string[];
  targetGroupArns: string[];
  /** The kops instance group, from the group's `kops.k8s.io/instancegroup` tag (kops 1.15+), when set. */
  instanceGroup?: string;
}

export type Classification<C = ClusterConfig> =
  | { kind: 'control-plane'; cluster: C; role: BackendRole }
  | { kind: 'ignored'; reason: string }
  /** Named like an API-backend group of a configured cluster, but not tagged as one: never touched, reported. */
  | { kind: 'suspicious'; cluster: C; reason: string };

/** What classifying needs of a cluster: its name (`init` classifies for a cluster it has no config of yet). */
type NamedCluster = Pick<ClusterConfig, 'name'>;

const MAX_PAGES = 50;
/** The tag kops puts on every group with its instance group's name (1.15+). */
export const INSTANCE_GROUP_TAG = 'kops.k8s.io/instancegroup';

type Named = Pick<AutoScalingGroup, 'AutoScalingGroupName' | 'Tags'>;

function tagMap(group: Named): Map<string, string> {
  return new Map((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The role a group's name gives it for one of the clusters, if any. */
function roleByName<C extends NamedCluster>(
  name: string,
  clusters: readonly C[],
): { cluster: C; role: BackendRole } | undefined {
  for (const role of ['control-plane', 'apiserver'] as const) {
    const cluster = clusters.find((c) => name.endsWith(`.${NAME_INFIX[role]}.${c.name}`));
    if (cluster) return { cluster, role };
  }
  return undefined;
}

/**
 * Classifies a group: an API-backend group has a cluster tag, its role tag, and its kops name:
 * `.masters.<cluster>` with `k8s.io/role/master` or `k8s.io/role/control-plane`, or
 * `.apiservers.<cluster>` with `k8s.io/role/apiserver`.
 */
export function classifyGroup<C extends NamedCluster>(
  group: Named,
  clusters: readonly C[],
): Classification<C> {
  const name = group.AutoScalingGroupName ?? '';
  const tags = tagMap(group);
  const byName = roleByName(name, clusters);
  const byTag = clusters.find((c) => taggedForCluster(tags, c.name));
  if (byName) {
    const { cluster, role } = byName;
    const roleOk = hasRole(tags, role);
    if (byTag === cluster && roleOk) return { kind: 'control-plane', cluster, role };
    const missing = [
      byTag === cluster
        ? undefined
        : `KubernetesCluster=${cluster.name} or kubernetes.io/cluster/${cluster.name}`,
      roleOk ? undefined : ROLE_TAGS[role].join(' or '),
    ].filter(Boolean);
    const kind = role === 'apiserver' ? 'an API-server group' : 'a control-plane group';
    return {
      kind: 'suspicious',
      cluster,
      reason: `named like ${kind} but lacks tag(s) ${missing.join(' and ')}`,
    };
  }
  if (byTag && (hasRole(tags, 'control-plane') || hasRole(tags, 'apiserver')))
    return {
      kind: 'ignored',
      reason: `tagged as an API backend of ${byTag.name} but not named *.masters.${byTag.name} or *.apiservers.${byTag.name}`,
    };
  return { kind: 'ignored', reason: 'not a control-plane or API-server group of a configured cluster' };
}

export function toControlPlaneGroup(
  group: AutoScalingGroup,
  cluster: string,
  role: BackendRole = 'control-plane',
): ControlPlaneGroup {
  return {
    name: group.AutoScalingGroupName ?? '',
    cluster,
    role,
    instances: (group.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? '',
      lifecycleState: i.LifecycleState ?? 'Unknown',
      healthStatus: i.HealthStatus ?? 'Unknown',
      availabilityZone: i.AvailabilityZone ?? '',
    })),
    loadBalancerNames: group.LoadBalancerNames ?? [],
    targetGroupArns: group.TargetGroupARNs ?? [],
    ...instanceGroupOf(group),
  };
}

/** `{ instanceGroup }` from the group's `kops.k8s.io/instancegroup` tag, or nothing. */
function instanceGroupOf(group: Named): { instanceGroup?: string } {
  const ig = tagMap(group).get(INSTANCE_GROUP_TAG);
  return ig ? { instanceGroup: ig } : {};
}

/** Reads every group matching the input, page by page (at most 50 pages). */
export async function describeAll(
  clients: Pick<AwsClients, 'autoscaling'>,
  input: { AutoScalingGroupNames?: string[]; Filters?: Filter[] },
) {
  const out: AutoScalingGroup[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ ...input, MaxRecords: 100, NextToken: token }),
    );
    out.push(...(res.AutoScalingGroups ?? []));
    token = res.NextToken;
    if (!token) return out;
  }
  throw new Error(`DescribeAutoScalingGroups returned more than ${MAX_PAGES} pages; refusing to continue`);
}

/** Reads groups by name (those that exist), up to 50 names per call. */
export async function describeGroups(
  clients: AwsClients,
  names: readonly string[],
): Promise<AutoScalingGroup[]> {
  const out: AutoScalingGroup[] = [];
  for (let i = 0; i < names.length; i += 50) {
    out.push(...(await describeAll(clients, { AutoScalingGroupNames: names.slice(i, i + 50) })));
  }
  return out;
}

/** Reads one group by name; undefined when it does not exist (any more). */
export async function describeGroup(
  clients: AwsClients,
  name: string,
): Promise<AutoScalingGroup | undefined> {
  const groups = await describeAll(clients, { AutoScalingGroupNames: [name] });
  return groups[0];
}

export interface Discovery {
  groups: Map<string, ControlPlaneGroup[]>;
  suspicious: { group: string; cluster: string; reason: string }[];
}

/**
 * Finds the API-backend groups (control plane and API-server node groups) of the given clusters with one paginated call for all of them
 * (filtered on the cluster tag keys), so API calls grow with clusters' pages, not with instances.
 */
export async function discoverControlPlaneGroups(
  clients: AwsClients,
  clusters: readonly ClusterConfig[],
): Promise<Discovery> {
  const tagKeys = ['KubernetesCluster', ...clusters.map((c) => `kubernetes.io/cluster/${c.name}`)];
  const found = await describeAll(clients, { Filters: [{ Name: 'tag-key', Values: tagKeys }] });
  const groups = new Map<string, ControlPlaneGroup[]>(clusters.map((c) => [c.name, []]));
  const suspicious: Discovery['suspicious'] = [];
  for (const g of found) {
    const verdict = classifyGroup(g, clusters);
    if (verdict.kind === 'control-plane')
      groups.get(verdict.cluster.name)?.push(toControlPlaneGroup(g, verdict.cluster.name, verdict.role));
    if (verdict.kind === 'suspicious') {
      suspicious.push({
        group: g.AutoScalingGroupName ?? '',
        cluster: verdict.cluster.name,
        reason: verdict.reason,
      });
    }
  }
  for (const list of groups.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return { groups, suspicious };
}

/** Lifecycle states in which an instance should be serving the API. */
export function isLive(state: string): boolean {
  return state === 'InService' || state.startsWith('Pending');
}

/** Lifecycle states in which an instance must no longer receive traffic. */
export function isLeaving(state: string): boolean {
  return state.startsWith('Terminating') || state === 'Terminated' || state.startsWith('Detach');
}
