import type { LoadBalancerV2Fact, Tags, TargetGroupFact } from './facts.ts';

/**
 * Recognises kops' own API load balancer (and its target groups) by what AWS reports about it.
 * kops tags it for the cluster (`KubernetesCluster=<cluster>`, `kubernetes.io/cluster/<cluster>`)
 * with `Name=api.<cluster>`, and names it `api-<cluster with dots as dashes>`, cut to 32 characters
 * with a hash suffix (`api-complex-example-com-vd3t5n`); its NLB target groups are named
 * `tcp-…`/`tls-…` the same way (pkg/model/awsmodel/api_loadbalancer.go, LBName32 / NLBTargetGroupName).
 * The cluster tag is required: a user's own load balancer named `api-…` is not kops'.
 */

function taggedFor(tags: Tags, cluster: string): boolean {
  return tags.KubernetesCluster === cluster || `kubernetes.io/cluster/${cluster}` in tags;
}

/** kops cuts `<prefix>-<cluster slug>` to 25 characters and appends `-` and a 6-character hash (32 in all). */
const KOPS_NAME_STEM = 25;

/** True when `name` is kops' name for `<prefix>-<cluster slug>`: cut, with its hash, or (older kops) whole. */
export function hasKopsName(name: string, prefix: string, cluster: string): boolean {
  const full = `${prefix}-${cluster.replaceAll('.', '-')}`;
  if (name === full) return true;
  const stem = /^(.+)-[a-z0-9]{6}$/.exec(name)?.[1];
  return stem === full.slice(0, KOPS_NAME_STEM);
}

/** Why a load balancer is kops' own API load balancer, or undefined when it is not. */
export function kopsApiLoadBalancer(name: string, tags: Tags, cluster: string): string | undefined {
  if (!taggedFor(tags, cluster)) return undefined;
  if (tags.Name === `api.${cluster}`)
    return `tagged Name=api.${cluster} for the cluster (kops' API load balancer)`;
  if (hasKopsName(name, 'api', cluster))
    return `tagged for the cluster and named like kops' API load balancer (api-${cluster.replaceAll('.', '-')}…)`;
  return undefined;
}

function v2Reason(lb: LoadBalancerV2Fact, cluster: string): string | undefined {
  const why = kopsApiLoadBalancer(lb.name, lb.tags, cluster);
  return why ? `its load balancer ${lb.name} is ${why}` : undefined;
}

/** Why a target group belongs to kops' own API load balancer, or undefined when it does not. */
export function kopsApiTargetGroup(tg: TargetGroupFact, cluster: string): string | undefined {
  for (const lb of tg.loadBalancers) {
    const why = v2Reason(lb, cluster);
    if (why) return why;
  }
  if (taggedFor(tg.tags, cluster) && ['tcp', 'tls'].some((p) => hasKopsName(tg.name, p, cluster)))
    return `tagged for the cluster and named like kops' API target groups (tcp-/tls-${cluster.replaceAll('.', '-')}…)`;
  return undefined;
}
