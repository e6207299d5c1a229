import { listSome } from '../text.ts';
import type { InitFacts, NodeGroupFact, SecurityGroupFact } from './facts.ts';
import { type Sourced, unique } from './sourced.ts';

/**
 * Where the nodes run, from the node groups (pure): their subnets, the VPC of those subnets and
 * the node security group. What cannot be determined is left empty and named in `gaps`.
 */

/** A Lambda function's subnet limit, and the config's. */
const MAX_SUBNETS = 16;

export function nodeSubnets(facts: InitFacts, gaps: string[]): Sourced<string[]> {
  const groups = facts.nodeGroups;
  if (groups.length === 0) {
    gaps.push(
      `no node group found (Auto Scaling groups tagged for ${facts.cluster} with k8s.io/role/node): nodeSubnetIds left empty, fill in the subnets the nodes run in`,
    );
    return { value: [], from: 'FILL IN: no node group found' };
  }
  const value = unique(groups.flatMap((g) => g.subnetIds));
  if (value.length === 0) {
    gaps.push(
      `node groups ${listSome(
        groups.map((g) => g.name),
        4,
      )} list no subnets: nodeSubnetIds left empty, fill in`,
    );
    return { value, from: 'FILL IN: the node groups list no subnets' };
  }
  if (value.length > MAX_SUBNETS)
    gaps.push(
      `the node groups use ${value.length} subnets; a Lambda function takes at most ${MAX_SUBNETS}: keep ${MAX_SUBNETS} of nodeSubnetIds (one or two per zone)`,
    );
  return {
    value,
    from: `the subnets (VPCZoneIdentifier) of node group(s) ${listSome(
      groups.map((g) => g.name),
      4,
    )}`,
  };
}

export function vpc(facts: InitFacts, subnets: readonly string[], gaps: string[]): Sourced<string> {
  const fromNodes = unique(subnets.flatMap((s) => facts.subnetVpcs[s] ?? []));
  const controlPlaneSubnets = facts.apiGroups.flatMap((g) => g.subnetIds);
  const vpcs = fromNodes.length
    ? fromNodes
    : unique(controlPlaneSubnets.flatMap((s) => facts.subnetVpcs[s] ?? []));
  const where = fromNodes.length ? 'node subnets' : 'control-plane subnets';
  if (vpcs.length === 1 && vpcs[0])
    return {
      value: vpcs[0],
      from: `the VPC of the ${where} (DescribeSubnets${fromNodes.length ? '' : '; no node subnet was read'})`,
    };
  gaps.push(
    vpcs.length > 1
      ? `the ${where} are in several VPCs (${vpcs.join(', ')}): vpcId left empty, fill in the nodes' VPC`
      : 'the VPC of the node subnets could not be read: vpcId left empty, fill in',
  );
  return {
    value: '',
    from: vpcs.length > 1 ? `FILL IN: one of ${vpcs.join(', ')}` : 'FILL IN: the VPC could not be read',
  };
}

function namedLikeKopsNodes(sg: SecurityGroupFact | undefined, cluster: string): boolean {
  return sg !== undefined && (sg.groupName === `nodes.${cluster}` || sg.tags.Name === `nodes.${cluster}`);
}

/** The node security group: the only one, else the one kops names `nodes.<cluster>`, else the one every node group has. */
export function chooseNodeSecurityGroup(
  cluster: string,
  groups: readonly NodeGroupFact[],
  described: readonly SecurityGroupFact[],
): { id?: string; from: string; candidates: string[] } {
  const candidates = unique(groups.flatMap((g) => g.securityGroupIds));
  const where = unique(
    groups.filter((g) => g.securityGroupIds.length).map((g) => `${g.name} (${g.securityGroupSource})`),
  );
  if (candidates.length === 1)
    return { id: candidates[0], from: `the security group of ${listSome(where, 2)}`, candidates };
  const byId = new Map(described.map((d) => [d.id, d]));
  const named = candidates.filter((id) => namedLikeKopsNodes(byId.get(id), cluster));
  if (named.length === 1)
    return {
      id: named[0],
      from: `named nodes.${cluster} (kops' node security group), among the ${candidates.length} security groups of the node groups' launch templates`,
      candidates,
    };
  const withGroups = groups.filter((g) => g.securityGroupIds.length);
  const common = candidates.filter((id) => withGroups.every((g) => g.securityGroupIds.includes(id)));
  if (named.length === 0 && common.length === 1 && withGroups.length > 1)
    return {
      id: common[0],
      from: `the one security group all node groups have (${withGroups.length} groups)`,
      candidates,
    };
  return { from: '', candidates };
}

export function nodeSecurityGroup(facts: InitFacts, gaps: string[]): Sourced<string> {
  const choice = chooseNodeSecurityGroup(facts.cluster, facts.nodeGroups, facts.securityGroups);
  if (choice.id) return { value: choice.id, from: choice.from };
  if (choice.candidates.length === 0) {
    const problems = facts.nodeGroups.flatMap((g) =>
      g.securityGroupProblem ? [`${g.name}: ${g.securityGroupProblem}`] : [],
    );
    gaps.push(
      facts.nodeGroups.length === 0
        ? 'no node group found: nodeSecurityGroupId left empty, fill in the security group the nodes run with'
        : `no security group found in the node groups' launch templates${problems.length ? ` (${listSome(problems, 2)})` : ''}: nodeSecurityGroupId left empty, fill in`,
    );
    return { value: '', from: 'FILL IN: no security group found on the node groups' };
  }
  gaps.push(
    `the node groups have several security groups (${listSome(choice.candidates, 4)}) and none is named nodes.${facts.cluster}: nodeSecurityGroupId left empty, fill in the one the nodes' API traffic leaves from`,
  );
  return { value: '', from: `FILL IN: one of ${listSome(choice.candidates, 4)}` };
}
