import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand as DescribeClassicCommand,
  DescribeTagsCommand as DescribeClassicTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from '../aws/clients.ts';
import { errorMessage } from '../aws/errors.ts';
import { readNodeGroupTrust } from '../ca/nodeup.ts';
import { classifyGroup, describeAll, toControlPlaneGroup } from '../discovery/control-plane.ts';
import { taggedForCluster } from '../discovery/tags.ts';
import type {
  ApiGroupFact,
  ClassicLoadBalancerFact,
  InitFacts,
  NodeGroupFact,
  SecurityGroupFact,
  Tags,
  TargetGroupFact,
} from './facts.ts';

/**
 * The reads behind `init`, all read-only and with the operator's credentials: who is calling
 * (STS), the cluster's Auto Scaling groups by its tags, the node groups' subnets and launch
 * templates, the load balancers attached to the control plane, and (with a state store) the
 * nodes' nodeup configs. A read that fails for one resource is noted and the rest goes on; a
 * fault of the credentials, permissions or network stops it (the caller reports it).
 */

export type InitClients = Pick<AwsClients, 'autoscaling' | 'ec2' | 'elb' | 'elbv2' | 's3'> & {
  readonly sts: STSClient;
};

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

/** Errors that mean "this resource is not there (any more)": noted, not fatal. */
const GONE = /NotFound|Invalid.*(ID|Id)|ValidationError/;

function isGone(err: unknown): boolean {
  return GONE.test(errorMessage(err).split(':')[0] ?? '');
}

/** Runs one read; when its resource is gone, notes `what` with the error and gives undefined. */
async function noting<T>(problems: string[], what: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (!isGone(err)) throw err;
    problems.push(`${what}: ${errorMessage(err)}`);
    return undefined;
  }
}

function tagsOf(list: { Key?: string; Value?: string }[] | undefined): Tags {
  return Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

function subnetsOf(group: AutoScalingGroup): string[] {
  return (group.VPCZoneIdentifier ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function isNodeGroup(tags: Tags): boolean {
  const role = tags['k8s.io/role/node'];
  return role !== undefined && role !== '0' && role !== 'false';
}

/** A group's launch template (direct or through a mixed instances policy), if it has one. */
function templateOf(group: AutoScalingGroup) {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}

async function nodeGroupFact(clients: InitClients, group: AutoScalingGroup): Promise<NodeGroupFact> {
  const base = { name: group.AutoScalingGroupName ?? '', subnetIds: subnetsOf(group) };
  const template = templateOf(group);
  try {
    if (template) {
      const version = template.Version ?? '$Default';
      const label = `launch template ${template.LaunchTemplateName ?? template.LaunchTemplateId} version ${version}`;
      const res = await clients.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(template.LaunchTemplateId
            ? { LaunchTemplateId: template.LaunchTemplateId }
            : { LaunchTemplateName: template.LaunchTemplateName }),
          Versions: [version],
        }),
      );
      const data = res.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      const ids = [
        ...(data?.SecurityGroupIds ?? []),
        ...(data?.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? []),
      ];
      return {
        ...base,
        securityGroupIds: [...new Set(ids)],
        securityGroupSource: label,
        ...(ids.length ? {} : { securityGroupProblem: `${label} names no security group` }),
      };
    }
    if (group.LaunchConfigurationName) {
      const label = `launch configuration ${group.LaunchConfigurationName}`;
      const res = await clients.autoscaling.send(
        new DescribeLaunchConfigurationsCommand({
          LaunchConfigurationNames: [group.LaunchConfigurationName],
        }),
      );
      const ids = (res.LaunchConfigurations?.[0]?.SecurityGroups ?? []).filter((s) => s.startsWith('sg-'));
      return {
        ...base,
        securityGroupIds: ids,
        securityGroupSource: label,
        ...(ids.length ? {} : { securityGroupProblem: `${label} names no security group id` }),
      };
    }
    return {
      ...base,
      securityGroupIds: [],
      securityGroupSource: '',
      securityGroupProblem: 'no launch template',
    };
  } catch (err) {
    if (!isGone(err)) throw err;
    return {
      ...base,
      securityGroupIds: [],
      securityGroupSource: '',
      securityGroupProblem: errorMessage(err),
    };
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

async function classicFact(
  clients: InitClients,
  name: string,
  problems: string[],
): Promise<ClassicLoadBalancerFact | undefined> {
  return noting(problems, `classic ELB ${name} (attached to the control plane)`, async () => {
    const lb = await clients.elb.send(new DescribeClassicCommand({ LoadBalancerNames: [name] }));
    const tags = await clients.elb.send(new DescribeClassicTagsCommand({ LoadBalancerNames: [name] }));
    const scheme = lb.LoadBalancerDescriptions?.[0]?.Scheme;
    return { name, ...(scheme ? { scheme } : {}), tags: tagsOf(tags.TagDescriptions?.[0]?.Tags) };
  });
}

async function targetGroupFact(
  clients: InitClients,
  arn: string,
  problems: string[],
): Promise<TargetGroupFact | undefined> {
  return noting(problems, `target group ${arn} (attached to the control plane)`, async () => {
    const res = await clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    const tg = res.TargetGroups?.[0];
    const lbArns = tg?.LoadBalancerArns ?? [];
    const tagged = await clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn, ...lbArns] }));
    const tagsFor = (a: string) => tagsOf(tagged.TagDescriptions?.find((d) => d.ResourceArn === a)?.Tags);
    const lbs = lbArns.length
      ? ((await clients.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: lbArns })))
          .LoadBalancers ?? [])
      : [];
    return {
      arn,
      name: tg?.TargetGroupName ?? arn,
      tags: tagsFor(arn),
      loadBalancers: lbs.map((lb) => ({
        arn: lb.LoadBalancerArn ?? '',
        name: lb.LoadBalancerName ?? '',
        type: lb.Type ?? '',
        ...(lb.Scheme ? { scheme: lb.Scheme } : {}),
        tags: tagsFor(lb.LoadBalancerArn ?? ''),
      })),
    };
  });
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
