import { defaultCaParameter } from '../config/parse.ts';
import type { CaSource } from '../config/schema.ts';
import { listSome } from '../text.ts';
import type { InitFacts } from './facts.ts';
import { loadBalancers } from './load-balancers.ts';
import { nodeSecurityGroup, nodeSubnets, vpc } from './network.ts';
import type { Sourced } from './sourced.ts';

export { chooseNodeSecurityGroup } from './network.ts';
export type { Sourced } from './sourced.ts';

/**
 * From what `init` read to the config it writes (pure): each value with where it came from, what
 * was left out and why, and what could not be determined. A value that could not be determined
 * is left empty and named in `gaps`: the config does not validate until someone fills it in.
 */

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
  const read = store.nodeupGroups?.length
    ? `; read now for node group(s) ${listSome(store.nodeupGroups, 4)}`
    : '';
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
