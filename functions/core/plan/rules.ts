import { INSTANCE_ID } from '../discovery/instance-id.ts';
import { isControlPlaneInstance, taggedForCluster } from '../discovery/tags.ts';
import { registeredOnPort } from '../lb/port.ts';
import type { InstanceFacts } from '../observe/instances.ts';
import type { LbState } from '../observe/lb-types.ts';
import type { ReconcileScope } from '../observe/scope.ts';

/**
 * The pure rules the planner judges instances by (and observe uses to know what to read).
 * No I/O here: test/unit/plan/purity.test.ts keeps AWS clients and sockets out of plan/**.
 */

/** An instance may be registered only when it runs and, if it carries cluster tags, they name this cluster. */
export function registrable(
  facts: InstanceFacts | undefined,
  cluster: string,
): { ok: true } | { ok: false; actual: string; foreign: boolean } {
  if (!facts) return { ok: false, actual: 'unknown to EC2', foreign: false };
  const foreignTag = facts.tags.get('KubernetesCluster');
  if (foreignTag !== undefined && foreignTag !== cluster) {
    return { ok: false, actual: `tagged KubernetesCluster=${foreignTag}`, foreign: true };
  }
  if (
    foreignTag === undefined &&
    !taggedForCluster(facts.tags, cluster) &&
    hasOtherClusterTag(facts.tags, cluster)
  ) {
    return { ok: false, actual: 'tagged for another cluster', foreign: true };
  }
  if (facts.state !== 'running') return { ok: false, actual: `EC2 state ${facts.state}`, foreign: false };
  return { ok: true };
}

function hasOtherClusterTag(tags: Map<string, string>, cluster: string): boolean {
  for (const k of tags.keys())
    if (k.startsWith('kubernetes.io/cluster/') && k !== `kubernetes.io/cluster/${cluster}`) return true;
  return false;
}

/**
 * A running instance tagged as an API backend of the cluster: never deregistered on the word of
 * discovery alone (its group may have lost its tags or name).
 */
export function runningBackend(facts: InstanceFacts | undefined, cluster: string): boolean {
  return facts?.state === 'running' && isControlPlaneInstance(facts.tags, cluster);
}

/** Desired instances that some existing load balancer does not have on the apiserver port. */
export function missingIds(scope: ReconcileScope, lbs: readonly LbState[]): string[] {
  const port = scope.cluster.api.instancePort;
  const out = new Set<string>();
  for (const lb of lbs) {
    if (!lb.exists) continue;
    for (const id of scope.desired.keys()) if (!registeredOnPort(lb, id, port)) out.add(id);
  }
  return [...out];
}

/**
 * Registered instance ids in no group of the scope (only a sweep judges them). Only instance
 * targets are judged: a target group of type `ip` holds addresses.
 */
export function unknownIds(scope: ReconcileScope, lbs: readonly LbState[]): string[] {
  if (!scope.pruneUnknown) return [];
  const all = new Set(lbs.flatMap((lb) => (lb.exists ? [...lb.instanceIds] : [])));
  return [...all].filter(
    (id) => INSTANCE_ID.test(id) && !scope.desired.has(id) && !scope.known.has(id) && !scope.leaving.has(id),
  );
}
