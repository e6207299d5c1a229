import {
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  type Filter,
} from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';

/** One instance as its Auto Scaling group sees it. */
export interface GroupInstance {
  instanceId: string;
  lifecycleState: string;
  healthStatus: string;
  availabilityZone: string;
}

/** A control-plane Auto Scaling group of a configured cluster. */
export interface ControlPlaneGroup {
  name: string;
  cluster: string;
  instances: GroupInstance[];
  loadBalancerNames: string[];
  targetGroupArns: string[];
}

export type Classification =
  | { kind: 'control-plane'; cluster: ClusterConfig }
  | { kind: 'ignored'; reason: string }
  /** Named like a control-plane group of a configured cluster, but not tagged as one: never touched, reported. */
  | { kind: 'suspicious'; cluster: ClusterConfig; reason: string };

const ROLE_TAGS = ['k8s.io/role/master', 'k8s.io/role/control-plane'];
const MAX_PAGES = 50;

type Named = Pick<AutoScalingGroup, 'AutoScalingGroupName' | 'Tags'>;

function tagMap(group: Named): Map<string, string> {
  return new Map((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** True when tags say the resource belongs to the cluster (kops sets both tags; either one is enough). */
export function taggedForCluster(tags: Map<string, string>, cluster: string): boolean {
  return tags.get('KubernetesCluster') === cluster || tags.has(`kubernetes.io/cluster/${cluster}`);
}

/** True when an instance's own tags (propagated from its group) say it is a control-plane instance of the cluster. */
export function isControlPlaneInstance(tags: Map<string, string>, cluster: string): boolean {
  return (
    taggedForCluster(tags, cluster) &&
    ROLE_TAGS.some((k) => tags.has(k) && tags.get(k) !== '0' && tags.get(k) !== 'false')
  );
}

/** Classifies a group: a control-plane group has the cluster tag, a role tag, and the `.masters.<cluster>` name. */
export function classifyGroup(group: Named, clusters: readonly ClusterConfig[]): Classification {
  const name = group.AutoScalingGroupName ?? '';
  const tags = tagMap(group);
  const byName = clusters.find((c) => name.endsWith(`.masters.${c.name}`));
  const byTag = clusters.find((c) => taggedForCluster(tags, c.name));
  const hasRole = ROLE_TAGS.some((k) => tags.has(k) && tags.get(k) !== '0' && tags.get(k) !== 'false');
  if (byName && byTag === byName && hasRole) return { kind: 'control-plane', cluster: byName };
  if (byName) {
    const missing = [
      byTag === byName
        ? undefined
        : `KubernetesCluster=${byName.name} or kubernetes.io/cluster/${byName.name}`,
      hasRole ? undefined : 'k8s.io/role/master or k8s.io/role/control-plane',
    ].filter(Boolean);
    return {
      kind: 'suspicious',
      cluster: byName,
      reason: `named like a control-plane group but lacks tag(s) ${missing.join(' and ')}`,
    };
  }
  if (byTag && hasRole)
    return {
      kind: 'ignored',
      reason: `tagged control-plane of ${byTag.name} but not named *.masters.${byTag.name}`,
    };
  return { kind: 'ignored', reason: 'not a control-plane group of a configured cluster' };
}

export function toControlPlaneGroup(group: AutoScalingGroup, cluster: string): ControlPlaneGroup {
  return {
    name: group.AutoScalingGroupName ?? '',
    cluster,
    instances: (group.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? '',
      lifecycleState: i.LifecycleState ?? 'Unknown',
      healthStatus: i.HealthStatus ?? 'Unknown',
      availabilityZone: i.AvailabilityZone ?? '',
    })),
    loadBalancerNames: group.LoadBalancerNames ?? [],
    targetGroupArns: group.TargetGroupARNs ?? [],
  };
}

async function describeAll(
  clients: AwsClients,
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
 * Finds the control-plane groups of the given clusters with one paginated call for all of them
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
      groups.get(verdict.cluster.name)?.push(toControlPlaneGroup(g, verdict.cluster.name));
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
