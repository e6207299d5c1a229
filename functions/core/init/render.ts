import { Document, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { InitPlan, Sourced } from './plan.ts';

/**
 * Writes an init plan as a commented YAML config (pure): a header saying where it was read and
 * what is missing, and above each value where it came from. Values that could not be determined
 * are written empty with a `FILL IN` comment, so the file fails validation until they are filled.
 */

export interface RenderMeta {
  /** When it was written (ISO 8601). */
  writtenAt: string;
}

function comment(text: string): string {
  // a YAML comment line starts with `#`: keep each line a comment, with the usual space after it
  return text
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n');
}

function header(plan: InitPlan, meta: RenderMeta): string {
  const lines = [
    `kops-api-sentinel config for ${plan.cluster}, written by \`kops-api-sentinel init\` at ${meta.writtenAt}`,
    `from account ${plan.account.value || '?'} in ${plan.region.value} (read-only calls with your credentials).`,
    'Above each value: where it came from. Every field is described in docs/config.md.',
  ];
  if (plan.gaps.length) {
    lines.push('', 'INCOMPLETE: fill in the fields marked FILL IN before using this file:');
    lines.push(...plan.gaps.map((g) => `  - ${g}`));
  }
  lines.push('', 'Then check it: kops-api-sentinel reconcile --config <this file> --dry-run');
  return comment(lines.join('\n'));
}

function sourced<T>(s: Sourced<T>): T {
  return s.value;
}

/** The document's cluster entry, in the order docs/config.md describes the fields. */
function clusterValues(plan: InitPlan): Record<string, unknown> {
  const lb = plan.loadBalancers;
  return {
    name: plan.cluster,
    account: sourced(plan.account),
    region: sourced(plan.region),
    vpcId: sourced(plan.vpcId),
    nodeSubnetIds: sourced(plan.nodeSubnetIds),
    nodeSecurityGroupId: sourced(plan.nodeSecurityGroupId),
    loadBalancers: {
      classic: lb.classic.map(sourced),
      targetGroupArns: lb.targetGroupArns.map(sourced),
      ...(lb.networkLoadBalancerArns.length
        ? { networkLoadBalancerArns: lb.networkLoadBalancerArns.map(sourced) }
        : {}),
    },
    mode: 'repair',
    ca: sourced(plan.ca),
    ...(plan.kops ? { kops: sourced(plan.kops) } : {}),
  };
}

function keyComments(plan: InitPlan): Record<string, string> {
  const leftOut = plan.leftOut.length ? `\nleft out: ${plan.leftOut.join('\nleft out: ')}` : '';
  return {
    account: plan.account.from,
    region: plan.region.from,
    vpcId: plan.vpcId.from,
    nodeSubnetIds: plan.nodeSubnetIds.from,
    nodeSecurityGroupId: plan.nodeSecurityGroupId.from,
    loadBalancers: `${plan.loadBalancers.from}${leftOut}`,
    mode: 'repair: attach and register what is missing; report-only: only report it',
    ca: plan.ca.from,
    ...(plan.kops ? { kops: plan.kops.from } : {}),
  };
}

function commentItems(node: Node | null | undefined, items: readonly Sourced<string>[]): void {
  if (!isSeq(node)) return;
  node.items.forEach((item, i) => {
    const from = items[i]?.from;
    if (isScalar(item) && from) item.commentBefore = comment(from);
  });
}

export function renderInitConfig(plan: InitPlan, meta: RenderMeta): string {
  const doc = new Document({ clusters: [clusterValues(plan)] });
  doc.commentBefore = header(plan, meta);
  const cluster = doc.getIn(['clusters', 0], true);
  if (isMap(cluster)) {
    const notes = keyComments(plan);
    for (const pair of cluster.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const note = notes[key];
      if (note && isScalar(pair.key)) pair.key.commentBefore = comment(note);
    }
  }
  const lb = plan.loadBalancers;
  commentItems(doc.getIn(['clusters', 0, 'loadBalancers', 'classic'], true) as Node, lb.classic);
  commentItems(
    doc.getIn(['clusters', 0, 'loadBalancers', 'targetGroupArns'], true) as Node,
    lb.targetGroupArns,
  );
  commentItems(
    doc.getIn(['clusters', 0, 'loadBalancers', 'networkLoadBalancerArns'], true) as Node,
    lb.networkLoadBalancerArns,
  );
  return doc.toString({ lineWidth: 0 });
}
