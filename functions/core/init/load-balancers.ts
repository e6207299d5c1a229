import { listSome } from '../text.ts';
import type { InitFacts, TargetGroupFact } from './facts.ts';
import { kopsApiLoadBalancer, kopsApiTargetGroup } from './kops-api-lb.ts';
import type { InitOptions, InitPlan } from './plan.ts';
import type { Sourced } from './sourced.ts';

/**
 * The load balancers to configure (pure): those attached to the control-plane and API-server
 * groups, without kops' own API load balancer unless asked, with the target groups' NLBs.
 */

/** kops' externalLoadBalancers limit, and the config's. */
const MAX_LOAD_BALANCERS = 10;

/** Which API groups a load balancer is attached to, as a comment. */
function attachedTo(groups: readonly string[], all: number): string {
  const share = groups.length === all ? `all ${all}` : `${groups.length} of ${all}`;
  return `attached to ${share} control-plane group(s): ${listSome(groups, 3)}`;
}

export function loadBalancers(
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
