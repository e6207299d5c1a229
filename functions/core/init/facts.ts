import type { BackendRole } from '../discovery/tags.ts';

/**
 * What `init` read from the account (and the state store) about one cluster, before any decision:
 * the input of the pure planning in plan.ts. Every list is in the order AWS gave it.
 */

export type Tags = Record<string, string>;

/** A control-plane or API-server group, with the load balancers attached to it. */
export interface ApiGroupFact {
  name: string;
  role: BackendRole;
  subnetIds: string[];
  loadBalancerNames: string[];
  targetGroupArns: string[];
}

/** A node group: its subnets and the security groups its launch template (or configuration) gives. */
export interface NodeGroupFact {
  name: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** Where the security groups were read, e.g. `launch template lt-0abc (version $Latest)`. */
  securityGroupSource: string;
  /** Why no security group could be read, when none was. */
  securityGroupProblem?: string;
}

export interface SecurityGroupFact {
  id: string;
  groupName: string;
  tags: Tags;
}

export interface ClassicLoadBalancerFact {
  name: string;
  scheme?: string;
  tags: Tags;
}

export interface LoadBalancerV2Fact {
  arn: string;
  name: string;
  type: string;
  scheme?: string;
  tags: Tags;
}

export interface TargetGroupFact {
  arn: string;
  name: string;
  tags: Tags;
  loadBalancers: LoadBalancerV2Fact[];
}

/** What the state store given with `--state` holds for the nodes' trust. */
export interface StateStoreFact {
  url: string;
  /** Node groups whose nodeup config was read, or why none could be. */
  nodeupGroups?: string[];
  problem?: string;
}

export interface InitFacts {
  cluster: string;
  account: string;
  region: string;
  /** `--region`, or the SDK's default (environment, profile). */
  regionFrom: 'flag' | 'sdk';
  apiGroups: ApiGroupFact[];
  nodeGroups: NodeGroupFact[];
  /** The VPC of every subnet read (node and control-plane subnets). */
  subnetVpcs: Record<string, string>;
  securityGroups: SecurityGroupFact[];
  classic: ClassicLoadBalancerFact[];
  targetGroups: TargetGroupFact[];
  stateStore?: StateStoreFact;
  /** Reads that failed without stopping init (a load balancer gone, a template unreadable), one line each. */
  readProblems: string[];
}
