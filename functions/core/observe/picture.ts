import type { AwsClients } from '../aws/clients.ts';
import type { Adapter } from '../lb/registrations.ts';
import { missingIds, runningBackend, unknownIds } from '../plan/rules.ts';
import { type OtherGroup, otherGroupsHolding } from './holders.ts';
import { describeInstances, type InstanceFacts } from './instances.ts';
import { type LbState, type ReadOptions, readLbStates } from './lb-state.ts';
import type { ReconcileScope } from './scope.ts';

/** The planner's rules for which ids a run must read (kept pure in plan/rules.ts). */
export { missingIds, unknownIds } from '../plan/rules.ts';

/**
 * What one run knows of a cluster: the scope (groups from discovery and what they make desired,
 * leaving and known), each configured load balancer's state, the EC2 facts of every instance the
 * planner may judge, and the other groups that hold unknown registered instances.
 */
export interface Picture {
  scope: ReconcileScope;
  /** One per configured load balancer, in the config's order. */
  lbs: LbState[];
  /** EC2's facts by instance id; an id asked about that EC2 no longer knows is absent. */
  instances: Map<string, InstanceFacts>;
  /** The ids EC2 was asked about. */
  described: Set<string>;
  /** Unknown registered instances another Auto Scaling group keeps (not leaving), with its attachments. */
  holders: Map<string, OtherGroup>;
  /** The ids Auto Scaling was asked about. */
  heldLookedUp: Set<string>;
}

/**
 * Fills in what the planner needs beyond the load balancers' state, reading only what is not
 * known yet: one DescribeInstances for the missing and unknown ids (and, with `also`, more ids the
 * caller needs), then Auto Scaling for the unknown ids that are not running API backends.
 */
export async function complete(clients: AwsClients, picture: Picture, also: readonly string[] = []) {
  const { scope, lbs } = picture;
  const unknown = unknownIds(scope, lbs);
  const ask = [...new Set([...missingIds(scope, lbs), ...unknown, ...also])].filter(
    (id) => !picture.described.has(id),
  );
  if (ask.length > 0) {
    const facts = await describeInstances(clients, ask);
    for (const id of ask) picture.described.add(id);
    for (const [id, f] of facts) picture.instances.set(id, f);
  }
  const cluster = scope.cluster.name;
  const lookUp = unknown.filter(
    (id) => !runningBackend(picture.instances.get(id), cluster) && !picture.heldLookedUp.has(id),
  );
  if (lookUp.length > 0) {
    const held = await otherGroupsHolding(clients, lookUp);
    for (const id of lookUp) picture.heldLookedUp.add(id);
    for (const [id, g] of held) picture.holders.set(id, g);
  }
  return picture;
}

/** The load balancers' state alone: what the registrar needs before it attaches. */
export async function observeLoadBalancers(
  clients: AwsClients,
  scope: ReconcileScope,
  adapters: readonly Adapter[],
  opts: ReadOptions = {},
): Promise<Picture> {
  const lbs = await readLbStates(clients, scope.cluster, adapters, opts);
  return {
    scope,
    lbs,
    instances: new Map(),
    described: new Set(),
    holders: new Map(),
    heldLookedUp: new Set(),
  };
}

/**
 * The one reader of a cluster: load-balancer state (with `health`, the verifier's extra reads),
 * then the instance facts and holders the planner needs. With `health`, every registered
 * instance is described too (the verifier probes them), in the same DescribeInstances call.
 */
export async function observe(
  clients: AwsClients,
  scope: ReconcileScope,
  adapters: readonly Adapter[],
  opts: ReadOptions = {},
): Promise<Picture> {
  const picture = await observeLoadBalancers(clients, scope, adapters, opts);
  const registered = opts.health ? registeredIds(picture.lbs) : [];
  return complete(clients, picture, registered);
}

/** Every instance id registered on an existing load balancer (health view). */
export function registeredIds(lbs: readonly LbState[]): string[] {
  return [...new Set(lbs.flatMap((lb) => lb.instances.map((i) => i.instanceId)))];
}
