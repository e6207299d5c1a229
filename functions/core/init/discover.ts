import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readNodeGroupTrust } from '../ca/nodeup.ts';
import { classifyGroup, describeAll, toControlPlaneGroup } from '../discovery/control-plane.ts';
import { taggedForCluster } from '../discovery/tags.ts';
import type {
  ApiGroupFact,
  ClassicLoadBalancerFact,
  InitFacts,
  NodeGroupFact,
  SecurityGroupFact,
  TargetGroupFact,
} from './facts.ts';
import { classicFact, targetGroupFact } from './read-load-balancers.ts';
import { isNodeGroup, nodeGroupFact, subnetsOf } from './read-node-groups.ts';
import { type InitClients, noting, tagsOf } from './reads.ts';

export type { InitClients } from './reads.ts';

/**
 * The reads behind `init`, all read-only and with the operator's credentials: who is calling
 * (STS), the cluster's Auto Scaling groups by its tags, the node groups' subnets and launch
 * templates, the load balancers attached to the control plane, and (with a state store) the
 * nodes' nodeup configs. A read that fails for one resource is noted and the rest goes on; a
 * fault of the credentials, permissions or network stops it (the caller reports it).
 */

export interface InitRequest {
  cluster: string;
  region: string;
  regionFrom: 'flag' | 'sdk';
  stateStore?: string;
}

/** No control-plane group of the cluster in this account and region: nothing to write a config from. */
export class NoClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoClusterError';
  }
}

async function subnetVpcs(
  clients: InitClients,
  ids: string[],
  problems: string[],
): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const res = await noting(problems, `subnets ${ids.join(', ')}`, () =>
    clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids })),
  );
  return Object.fromEntries((res?.Subnets ?? []).map((s) => [s.SubnetId ?? '', s.VpcId ?? '']));
}

async function securityGroups(
  clients: InitClients,
  ids: string[],
  problems: string[],
): Promise<SecurityGroupFact[]> {
  if (ids.length < 2) return [];
  const res = await noting(problems, `security groups ${ids.join(', ')}`, () =>
    clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids })),
  );
  return (res?.SecurityGroups ?? []).map((g) => ({
    id: g.GroupId ?? '',
    groupName: g.GroupName ?? '',
    tags: tagsOf(g.Tags),
  }));
}

async function stateStoreFact(clients: InitClients, url: string, cluster: string) {
  try {
    const trust = await readNodeGroupTrust(url, cluster, clients.s3);
    return { url, nodeupGroups: trust.groups.flatMap((g) => (g.group ? [g.group] : [])) };
  } catch (err) {
    return { url, problem: (err as Error).message.split('\n')[0] ?? String(err) };
  }
}

function defined<T>(items: (T | undefined)[]): T[] {
  return items.filter((i): i is T => i !== undefined);
}

/** Reads what the config of `req.cluster` is made of. Throws NoClusterError when the account has no control plane of it. */
export async function discoverForInit(clients: InitClients, req: InitRequest): Promise<InitFacts> {
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  const account = identity.Account ?? '';
  const { cluster } = req;
  const found = await describeAll(clients, {
    Filters: [{ Name: 'tag-key', Values: ['KubernetesCluster', `kubernetes.io/cluster/${cluster}`] }],
  });
  const readProblems: string[] = [];
  const apiGroups: ApiGroupFact[] = [];
  const nodeGroupsRaw: AutoScalingGroup[] = [];
  for (const g of found) {
    const tags = tagsOf(g.Tags);
    if (!taggedForCluster(new Map(Object.entries(tags)), cluster)) continue;
    const verdict = classifyGroup(g, [{ name: cluster }]);
    if (verdict.kind === 'control-plane') {
      const cp = toControlPlaneGroup(g, cluster, verdict.role);
      apiGroups.push({
        name: cp.name,
        role: cp.role,
        subnetIds: subnetsOf(g),
        loadBalancerNames: cp.loadBalancerNames,
        targetGroupArns: cp.targetGroupArns,
      });
    } else if (verdict.kind === 'suspicious') {
      readProblems.push(`${g.AutoScalingGroupName}: ${verdict.reason}; not used`);
    } else if (isNodeGroup(tags)) {
      nodeGroupsRaw.push(g);
    }
  }
  if (apiGroups.length === 0) {
    throw new NoClusterError(
      `--cluster ${cluster}: no control-plane Auto Scaling group of it in account ${account}, region ${req.region} ` +
        `(groups named *.masters.${cluster} or *.apiservers.${cluster}, tagged KubernetesCluster=${cluster} or kubernetes.io/cluster/${cluster}, with a role tag)`,
    );
  }
  apiGroups.sort((a, b) => a.name.localeCompare(b.name));
  nodeGroupsRaw.sort((a, b) => (a.AutoScalingGroupName ?? '').localeCompare(b.AutoScalingGroupName ?? ''));
  const nodeGroups: NodeGroupFact[] = [];
  for (const g of nodeGroupsRaw) nodeGroups.push(await nodeGroupFact(clients, g));
  const subnetIds = [...new Set([...nodeGroups, ...apiGroups].flatMap((g) => g.subnetIds))];
  const candidates = [...new Set(nodeGroups.flatMap((g) => g.securityGroupIds))];
  const classicNames = [...new Set(apiGroups.flatMap((g) => g.loadBalancerNames))];
  const targetGroupArns = [...new Set(apiGroups.flatMap((g) => g.targetGroupArns))];
  const classic: (ClassicLoadBalancerFact | undefined)[] = [];
  for (const name of classicNames) classic.push(await classicFact(clients, name, readProblems));
  const targetGroups: (TargetGroupFact | undefined)[] = [];
  for (const arn of targetGroupArns) targetGroups.push(await targetGroupFact(clients, arn, readProblems));
  return {
    cluster,
    account,
    region: req.region,
    regionFrom: req.regionFrom,
    apiGroups,
    nodeGroups,
    subnetVpcs: await subnetVpcs(clients, subnetIds, readProblems),
    securityGroups: await securityGroups(clients, candidates, readProblems),
    classic: defined(classic),
    targetGroups: defined(targetGroups),
    ...(req.stateStore ? { stateStore: await stateStoreFact(clients, req.stateStore, cluster) } : {}),
    readProblems,
  };
}
