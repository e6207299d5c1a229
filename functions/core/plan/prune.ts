import { isAttachedTo } from '../lb/port.ts';
import type { LbState } from '../observe/lb-state.ts';
import type { Picture } from '../observe/picture.ts';
import { listSome } from '../text.ts';
import { type Builder, existing } from './builder.ts';
import { runningBackend, unknownIds } from './rules.ts';

/**
 * Another group's instances that Auto Scaling keeps on a load balancer through that group's
 * attachment (a node group sharing it): never pruned, reported once per load balancer and group.
 */
function planShared(b: Builder, picture: Picture, lb: LbState): Set<string> {
  const byGroup = new Map<string, string[]>();
  for (const id of lb.instanceIds) {
    const g = picture.holders.get(id);
    if (g && isAttachedTo(lb.ref, g)) byGroup.set(g.name, [...(byGroup.get(g.name) ?? []), id]);
  }
  const cluster = picture.scope.cluster.name;
  for (const [group, ids] of byGroup) {
    b.add({
      code: 'LB_SHARED_WITH_OTHER_GROUP',
      resource: `${lb.label}:${group}`,
      expected: `attached only to API-backend groups of ${cluster}`,
      actual: `also attached to ${group}, which keeps ${ids.length} instance(s) registered`,
      action: 'skipped',
      message: `${lb.label} is also attached to ${group} (not a control-plane or API-server group of ${cluster}); its ${ids.length} instance(s) (${listSome(ids, 5)}) are left registered`,
      details: { group, instanceIds: ids.slice(0, 50) },
    });
  }
  const shared = new Set([...byGroup.values()].flat());
  for (const id of shared) b.shared.add(id);
  return shared;
}

/**
 * Leaving instances deregistered (or reported gone), and in a sweep every registration no group
 * in scope holds, except a running API backend of the cluster and what another attached group keeps.
 */
export function planStale(b: Builder, picture: Picture) {
  const { scope } = picture;
  const cluster = scope.cluster.name;
  const unknown = new Set(unknownIds(scope, picture.lbs));
  // a running API backend of the cluster by its own tags is kept and reported (its group may have
  // lost its tags); of the rest, only those another attached group keeps are left alone
  const keep = new Set([...unknown].filter((id) => runningBackend(picture.instances.get(id), cluster)));
  for (const lb of existing(picture)) {
    const sharedHere = planShared(b, picture, lb);
    for (const id of scope.leaving) {
      if (lb.instanceIds.has(id)) continue;
      b.add({
        code: 'INSTANCE_DEREGISTERED',
        resource: `${lb.label}:${id}`,
        expected: 'not registered',
        actual: 'not registered',
        message: `${id} is no longer registered on ${lb.label}`,
      });
    }
    for (const id of keep) {
      if (!lb.instanceIds.has(id) || sharedHere.has(id)) continue;
      b.add({
        code: 'INSTANCE_NOT_IN_GROUP',
        resource: `${lb.label}:${id}`,
        expected: `a member of a group named *.masters.${cluster} or *.apiservers.${cluster} and tagged for the cluster`,
        actual: 'a running API backend of the cluster in no such group',
        action: 'skipped',
        message: `${id} is registered on ${lb.label} and tagged as a control-plane or API-server instance of ${cluster}, but no discovered group holds it; left registered`,
      });
    }
    const stale = [...lb.instanceIds].filter(
      (id) => scope.leaving.has(id) || (unknown.has(id) && !keep.has(id) && !sharedHere.has(id)),
    );
    if (stale.length === 0) continue;
    const step = b.step({ kind: 'deregister', lb: lb.label, ids: stale });
    for (const id of stale) {
      const why = scope.leaving.has(id)
        ? 'leaving its group'
        : 'not a live control-plane or API-server instance of the cluster';
      b.add({
        code: 'STALE_REGISTRATION',
        resource: `${lb.label}:${id}`,
        expected: 'not registered',
        actual: `registered (${why})`,
        message: `${id} was registered on ${lb.label} but is ${why}`,
        repair: { step, done: 'Deregistered it' },
      });
    }
  }
}
