import { DescribeAutoScalingInstancesCommand } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws/clients.ts';
import { type ControlPlaneGroup, describeGroups, isLeaving } from '../discovery/control-plane.ts';
import { describeInstances } from './instances.ts';

/** DescribeAutoScalingInstances takes at most 50 ids per call. */
const IDS_PER_CALL = 50;
/** Bounds the calls of one run: 20 calls, 1,000 ids (ten full load balancers' worth). */
const MAX_CALLS = 20;

/** The group Auto Scaling says holds an instance, and the instance's lifecycle state in it. */
export interface Holder {
  group: string;
  lifecycleState: string;
}

/** Which Auto Scaling group holds each instance (ids no group holds are absent): one call per 50 ids. */
export async function groupsHolding(
  clients: AwsClients,
  ids: readonly string[],
): Promise<Map<string, Holder>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, Holder>();
  if (unique.length > IDS_PER_CALL * MAX_CALLS)
    throw new Error(
      `refusing to look up ${unique.length} instances' groups in one run (at most ${IDS_PER_CALL * MAX_CALLS})`,
    );
  for (let i = 0; i < unique.length; i += IDS_PER_CALL) {
    const chunk = unique.slice(i, i + IDS_PER_CALL);
    const res = await clients.autoscaling.send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: chunk, MaxRecords: IDS_PER_CALL }),
    );
    for (const d of res.AutoScalingInstances ?? []) {
      if (d.InstanceId && d.AutoScalingGroupName)
        out.set(d.InstanceId, {
          group: d.AutoScalingGroupName,
          lifecycleState: d.LifecycleState ?? 'Unknown',
        });
    }
  }
  return out;
}

/** Another group that holds registered instances, as far as the load-balancer port needs it. */
export type OtherGroup = Pick<ControlPlaneGroup, 'name' | 'loadBalancerNames' | 'targetGroupArns'>;

/**
 * For registered instances that no group in scope holds: the other group that holds each, with
 * its attachments, when Auto Scaling still keeps the instance in it (not leaving). Two calls at
 * most for up to 50 ids and 100 groups; none when there is nothing unknown.
 */
export async function otherGroupsHolding(
  clients: AwsClients,
  ids: readonly string[],
): Promise<Map<string, OtherGroup>> {
  const out = new Map<string, OtherGroup>();
  if (ids.length === 0) return out;
  const holders = await groupsHolding(clients, ids);
  const kept = [...holders].filter(([, h]) => !isLeaving(h.lifecycleState));
  if (kept.length === 0) return out;
  const groups = await describeGroups(clients, [...new Set(kept.map(([, h]) => h.group))]);
  const byName = new Map(groups.map((g) => [g.AutoScalingGroupName ?? '', g]));
  for (const [id, h] of kept) {
    const g = byName.get(h.group);
    if (!g) continue;
    out.set(id, {
      name: h.group,
      loadBalancerNames: g.LoadBalancerNames ?? [],
      targetGroupArns: g.TargetGroupARNs ?? [],
    });
  }
  return out;
}

/** EC2 states in which an instance has stopped being a backend for good. */
const EC2_GONE = new Set(['shutting-down', 'terminated']);

/**
 * Whether AWS confirms that the instance of a terminate event is leaving: Auto Scaling says it is
 * Terminating/Terminated (or Detaching) in its group, or that no group keeps it any more, or EC2
 * says it is shutting down, terminated, or unknown. A terminate event for an instance Auto Scaling
 * still keeps in service is not believed: nothing is deregistered on its word.
 */
export async function confirmLeaving(
  clients: AwsClients,
  group: ControlPlaneGroup,
  instanceId: string,
): Promise<{ confirmed: boolean; why: string }> {
  const member = group.instances.find((i) => i.instanceId === instanceId);
  if (member && isLeaving(member.lifecycleState))
    return { confirmed: true, why: `Auto Scaling says ${member.lifecycleState}` };
  const facts = (await describeInstances(clients, [instanceId])).get(instanceId);
  if (!facts) return { confirmed: true, why: 'EC2 no longer knows the instance' };
  if (EC2_GONE.has(facts.state)) return { confirmed: true, why: `EC2 says ${facts.state}` };
  if (member)
    return {
      confirmed: false,
      why: `Auto Scaling still has it ${member.lifecycleState} in ${group.name} and EC2 says ${facts.state}`,
    };
  const holder = (await groupsHolding(clients, [instanceId])).get(instanceId);
  if (holder && !isLeaving(holder.lifecycleState))
    return { confirmed: false, why: `Auto Scaling keeps it ${holder.lifecycleState} in ${holder.group}` };
  return {
    confirmed: true,
    why: holder ? `Auto Scaling says ${holder.lifecycleState}` : 'no group holds it any more',
  };
}
