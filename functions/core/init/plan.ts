import { defaultCaParameter } from '../config/parse.ts';
import type { CaSource } from '../config/schema.ts';
import type { InitFacts, NodeGroupFact, SecurityGroupFact, TargetGroupFact } from './facts.ts';
import { kopsApiLoadBalancer, kopsApiTargetGroup } from './kops-api-lb.ts';

/**
 * From what `init` read to the config it writes (pure): each value with where it came from, what
 * was left out and why, and what could not be determined. A value that could not be determined
 * is left empty and named in `gaps`: the config does not validate until someone fills it in.
 */

/** A value and where it came from (written as a comment above it). */
export interface Sourced<T> {
  value: T;
  from: string;
}

export interface InitOptions {
  /** Keep kops' own API load balancer among the configured ones (normally left out). */
  includeKopsApiLb?: boolean;
}

export interface InitPlan {
  cluster: string;
  account: Sourced<string>;
  region: Sourced<string>;
  vpcId: Sourced<string>;
  nodeSubnetIds: Sourced<string[]>;
  nodeSecurityGroupId: Sourced<string>;
  loadBalancers: {
    from: string;
    classic: Sourced<string>[];
    targetGroupArns: Sourced<string>[];
    networkLoadBalancerArns: Sourced<string>[];
  };
  ca: Sourced<CaSource>;
  kops?: Sourced<{ stateStore: string }>;
  /** Load balancers attached to the control plane but not configured, each with why. */
  leftOut: string[];
  /** What could not be determined: each names the field left empty and what to fill in. */
  gaps: string[];
  /** The config is complete, but this deserves a look. */
  warnings: string[];
  /** What to run next. */
  next: string[];
}

/** kops' externalLoadBalancers limit, and the config's. */
const MAX_LOAD_BALANCERS = 10;
/** A Lambda function's subnet limit, and the config's. */
const MAX_SUBNETS = 16;

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

function list(items: readonly string[], max = 4): string {
  return items.length <= max
    ? items.join(', ')
    : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function nodeSubnets(facts: InitFacts, gaps: string[]): Sourced<string[]> {
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
      `node groups ${list(groups.map((g) => g.name))} list no subnets: nodeSubnetIds left empty, fill in`,
    );
    return { value, from: 'FILL IN: the node groups list no subnets' };
  }
  if (value.length > MAX_SUBNETS)
    gaps.push(
      `the node groups use ${value.length} subnets; a Lambda function takes at most ${MAX_SUBNETS}: keep ${MAX_SUBNETS} of nodeSubnetIds (one or two per zone)`,
    );
  return {
    value,
    from: `the subnets (VPCZoneIdentifier) of node group(s) ${list(groups.map((g) => g.name))}`,
  };
}

function vpc(facts: InitFacts, subnets: readonly string[], gaps: string[]): Sourced<string> {
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
    return { id: candidates[0], from: `the security group of ${list(where, 2)}`, candidates };
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

function nodeSecurityGroup(facts: InitFacts, gaps: string[]): Sourced<string> {
  const choice = chooseNodeSecurityGroup(facts.cluster, facts.nodeGroups, facts.securityGroups);
  if (choice.id) return { value: choice.id, from: choice.from };
  if (choice.candidates.length === 0) {
    const problems = facts.nodeGroups.flatMap((g) =>
      g.securityGroupProblem ? [`${g.name}: ${g.securityGroupProblem}`] : [],
    );
    gaps.push(
      facts.nodeGroups.length === 0
        ? 'no node group found: nodeSecurityGroupId left empty, fill in the security group the nodes run with'
        : `no security group found in the node groups' launch templates${problems.length ? ` (${list(problems, 2)})` : ''}: nodeSecurityGroupId left empty, fill in`,
    );
    return { value: '', from: 'FILL IN: no security group found on the node groups' };
  }
  gaps.push(
    `the node groups have several security groups (${list(choice.candidates)}) and none is named nodes.${facts.cluster}: nodeSecurityGroupId left empty, fill in the one the nodes' API traffic leaves from`,
  );
  return { value: '', from: `FILL IN: one of ${list(choice.candidates)}` };
}

/** Which API groups a load balancer is attached to, as a comment. */
function attachedTo(groups: readonly string[], all: number): string {
  const share = groups.length === all ? `all ${all}` : `${groups.length} of ${all}`;
  return `attached to ${share} control-plane group(s): ${list(groups, 3)}`;
}

function loadBalancers(
  facts: InitFacts,
  opts: InitOptions,
  out: Pick<InitPlan, 'leftOut' | 'gaps' | 'warnings'>,
): InitPlan['loadBalancers'] {
  const groups = facts.apiGroups;
  const attachments = (pick: (g: (typeof groups)[number]) => string[]) => {
    const by = new Map<string, string[]>();
    for (const g of groups) for (const lb of pick(g)) by.set(lb, [...(by.get(lb) ?? []), g.name]);
    return by;
  };
  const classic: Sourced<string>[] = [];
  const targetGroupArns: Sourced<string>[] = [];
  const networkLoadBalancerArns: Sourced<string>[] = [];
  const partial = (name: string, on: string[]) => {
    if (on.length < groups.length)
      out.warnings.push(
        `${name} is attached to ${on.length} of ${groups.length} control-plane groups; reconcile attaches it to the rest (mode repair)`,
      );
  };
  const skipKops = (name: string, why: string | undefined): boolean => {
    if (!why) return false;
    if (opts.includeKopsApiLb) {
      out.warnings.push(
        `${name} is kops' own API load balancer (${why}); kept because of --include-kops-api-lb`,
      );
      return false;
    }
    out.leftOut.push(`${name}: ${why}; --include-kops-api-lb keeps it`);
    return true;
  };
  for (const [name, on] of attachments((g) => g.loadBalancerNames)) {
    const fact = facts.classic.find((c) => c.name === name);
    if (skipKops(name, fact && kopsApiLoadBalancer(name, fact.tags, facts.cluster))) continue;
    partial(name, on);
    classic.push({
      value: name,
      from: `classic ELB${fact?.scheme ? ` (${fact.scheme})` : ''}, ${attachedTo(on, groups.length)}`,
    });
  }
  const tgByArn = new Map<string, TargetGroupFact>(facts.targetGroups.map((t) => [t.arn, t]));
  for (const [arn, on] of attachments((g) => g.targetGroupArns)) {
    const tg = tgByArn.get(arn);
    const label = tg ? `target group ${tg.name}` : arn;
    if (skipKops(label, tg && kopsApiTargetGroup(tg, facts.cluster))) continue;
    partial(label, on);
    const lbs = tg?.loadBalancers ?? [];
    targetGroupArns.push({
      value: arn,
      from: `${label}${lbs.length ? ` of ${lbs.map((l) => `${l.type === 'network' ? 'NLB' : l.type} ${l.name}`).join(', ')}` : ''}, ${attachedTo(on, groups.length)}`,
    });
    if (tg && lbs.length === 0) out.warnings.push(`${label} is not behind any load balancer yet`);
    for (const lb of lbs.filter((l) => l.type === 'network')) {
      if (networkLoadBalancerArns.some((n) => n.value === lb.arn)) continue;
      if (!lb.arn.includes(':loadbalancer/net/')) {
        out.warnings.push(
          `NLB ${lb.name}: its ARN is not of the form …:loadbalancer/net/…; left out of networkLoadBalancerArns`,
        );
        continue;
      }
      networkLoadBalancerArns.push({ value: lb.arn, from: `NLB ${lb.name} of ${label}` });
    }
  }
  const kept = classic.length + targetGroupArns.length;
  if (kept === 0)
    out.gaps.push(
      `no internal load balancer is attached to the control-plane groups${out.leftOut.length ? " besides kops' own API load balancer (left out)" : ''}: loadBalancers left empty; create the internal TCP pass-through load balancer (docs/deploy.md) and fill it in${out.leftOut.length ? ', or run again with --include-kops-api-lb' : ''}`,
    );
  if (kept > MAX_LOAD_BALANCERS)
    out.gaps.push(
      `${kept} load balancers are attached to the control-plane groups; keep at most ${MAX_LOAD_BALANCERS} (the kops externalLoadBalancers limit)`,
    );
  const from =
    kept === 0
      ? 'FILL IN: no internal load balancer is attached to the control-plane groups'
      : `the load balancers attached to the ${groups.length} control-plane/API-server group(s) (DescribeAutoScalingGroups)`;
  return { from, classic, targetGroupArns, networkLoadBalancerArns };
}

function caSource(facts: InitFacts, warnings: string[], next: string[]): Sourced<CaSource> {
  const store = facts.stateStore;
  if (!store) {
    const parameterName = defaultCaParameter(facts.cluster);
    next.push(
      `kops-api-sentinel ca import --config <this file> --cluster ${facts.cluster} --state-store s3://<your kops state store>   (writes the CA bundle to ${parameterName})`,
    );
    return {
      value: { source: 'ssm', parameterName },
      from: `the default SSM parameter; it holds nothing until you run \`kops-api-sentinel ca import --cluster ${facts.cluster} --state-store s3://…\` (or pass --state to init to read the nodes' nodeup configs instead)`,
    };
  }
  if (store.problem)
    warnings.push(
      `ca: the nodeup configs under ${store.url} could not be read (${store.problem}); the verifier reports CA_UNAVAILABLE until they can`,
    );
  const read = store.nodeupGroups?.length ? `; read now for node group(s) ${list(store.nodeupGroups)}` : '';
  return {
    value: { source: 'state-store', stateStore: store.url },
    from: `--state: what the nodes trust, from each node group's nodeup config (<cluster>/igconfig/node/<ig>/nodeupconfig.yaml)${read}`,
  };
}

export function planInit(facts: InitFacts, opts: InitOptions = {}): InitPlan {
  const gaps: string[] = [];
  const warnings: string[] = [];
  const leftOut: string[] = [];
  const next: string[] = [];
  const nodeSubnetIds = nodeSubnets(facts, gaps);
  const vpcId = vpc(facts, nodeSubnetIds.value, gaps);
  const nodeSecurityGroupId = nodeSecurityGroup(facts, gaps);
  const lbs = loadBalancers(facts, opts, { leftOut, gaps, warnings });
  const ca = caSource(facts, warnings, next);
  warnings.push(...facts.readProblems);
  return {
    cluster: facts.cluster,
    account: {
      value: facts.account,
      from: 'the account of the credentials init ran with (STS GetCallerIdentity)',
    },
    region: {
      value: facts.region,
      from: facts.regionFrom === 'flag' ? '--region' : "the SDK's default region (AWS_REGION or the profile)",
    },
    vpcId,
    nodeSubnetIds,
    nodeSecurityGroupId,
    loadBalancers: lbs,
    ca,
    ...(facts.stateStore
      ? {
          kops: {
            value: { stateStore: facts.stateStore.url },
            from: '--state: read for the cluster and instance group specs (never pki/)',
          },
        }
      : {}),
    leftOut,
    gaps,
    warnings,
    next,
  };
}
