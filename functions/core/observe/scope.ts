import type { ClusterConfig } from '../config/schema.ts';
import { type ControlPlaneGroup, isLeaving, isLive } from '../discovery/control-plane.ts';

/**
 * What one reconcile run looks at and may change. The event path scopes to one group (and the
 * instance of the event); the sweep scopes to every control-plane group of the cluster and also
 * removes registrations of instances that belong to none of them.
 */
export interface ReconcileScope {
  cluster: ClusterConfig;
  /** Groups whose load-balancer attachment is checked. */
  groups: ControlPlaneGroup[];
  /** Live control-plane instances that must be registered, with their group. */
  desired: Map<string, string>;
  /** Instances that must not be registered (terminating, detached, or named by a terminate event). */
  leaving: Set<string>;
  /** Every instance id of the groups in scope, in any state. */
  known: Set<string>;
  /** Deregister any registered instance that is not a known control-plane instance (sweep only). */
  pruneUnknown: boolean;
}

function collect(groups: ControlPlaneGroup[]) {
  const desired = new Map<string, string>();
  const leaving = new Set<string>();
  const known = new Set<string>();
  for (const g of groups) {
    for (const i of g.instances) {
      known.add(i.instanceId);
      if (isLive(i.lifecycleState)) desired.set(i.instanceId, g.name);
      else if (isLeaving(i.lifecycleState)) leaving.add(i.instanceId);
    }
  }
  return { desired, leaving, known };
}

export type GroupEvent = { kind: 'launch' | 'terminate'; instanceId: string } | undefined;

/**
 * Scope of an Auto Scaling event: its group. A `terminate` here is one AWS has confirmed (the
 * registrar checks Auto Scaling and EC2 first): its instance is leaving even when the group no
 * longer lists it.
 */
export function scopeForGroup(
  cluster: ClusterConfig,
  group: ControlPlaneGroup,
  event: GroupEvent,
): ReconcileScope {
  const { desired, leaving, known } = collect([group]);
  if (event?.kind === 'terminate' && event.instanceId) {
    desired.delete(event.instanceId);
    leaving.add(event.instanceId);
    known.add(event.instanceId);
  }
  return { cluster, groups: [group], desired, leaving, known, pruneUnknown: false };
}

/** Scope of a sweep: every control-plane group of the cluster. */
export function scopeForCluster(cluster: ClusterConfig, groups: ControlPlaneGroup[]): ReconcileScope {
  const { desired, leaving, known } = collect(groups);
  // Never prune on an empty picture: with no group found, every registration would look stale.
  return { cluster, groups, desired, leaving, known, pruneUnknown: groups.length > 0 };
}
