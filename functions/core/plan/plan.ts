import { isAttachedTo, registeredOnPort, wrongPorts } from '../lb/port.ts';
import { registrable, runningBackend } from '../observe/instances.ts';
import type { LbState } from '../observe/lb-state.ts';
import { type Picture, unknownIds } from '../observe/picture.ts';
import { listSome } from '../text.ts';
import type { Plan, Proposal, Step } from './steps.ts';

/** Collects steps and proposals; `step` returns the index a proposal's repair refers to. */
class Builder {
  readonly steps: Step[] = [];
  readonly proposals: Proposal[] = [];
  readonly shared = new Set<string>();
  step(s: Step): number {
    this.steps.push(s);
    return this.steps.length - 1;
  }
  add(p: Proposal) {
    this.proposals.push(p);
  }
  plan(): Plan {
    return { steps: this.steps, proposals: this.proposals, shared: this.shared };
  }
}

const existing = (picture: Picture) => picture.lbs.filter((lb) => lb.exists);

/**
 * The first half of a plan: configured load balancers that do not exist, and each group's
 * attachment to each existing load balancer.
 */
export function planAttachments(picture: Picture): Plan {
  const b = new Builder();
  for (const lb of picture.lbs) {
    if (lb.exists) continue;
    b.add({
      code: 'LOAD_BALANCER_NOT_FOUND',
      resource: lb.label,
      expected: 'exists',
      actual: 'not found',
      message: `the configured load balancer ${lb.label} does not exist in this account and region`,
    });
  }
  for (const group of picture.scope.groups) {
    for (const lb of existing(picture)) {
      const resource = `${lb.label}:${group.name}`;
      if (isAttachedTo(lb.ref, group)) {
        b.add({
          code: 'LB_ATTACHED',
          resource,
          expected: 'attached',
          actual: 'attached',
          message: `${lb.label} is attached to ${group.name}`,
        });
        continue;
      }
      const step = b.step({ kind: 'attach', lb: lb.label, group: group.name });
      b.add({
        code: 'LB_NOT_ATTACHED',
        resource,
        expected: 'attached',
        actual: 'not attached',
        message: `${lb.label} was not attached to ${group.name}`,
        repair: { step, done: 'Attached it' },
      });
    }
  }
  return b.plan();
}

/** A desired instance registered on another port than the apiserver's. */
interface WrongPort {
  lb: LbState;
  id: string;
  wrong: number[];
  right: boolean;
}

function planRegister(b: Builder, picture: Picture): WrongPort[] {
  const { scope } = picture;
  const cluster = scope.cluster.name;
  const port = scope.cluster.api.instancePort;
  const wrongPort: WrongPort[] = [];
  const missing = new Map<string, string[]>();
  for (const lb of existing(picture)) {
    for (const id of scope.desired.keys()) {
      const wrong = wrongPorts(lb, id, port);
      const right = registeredOnPort(lb, id, port);
      if (wrong.length > 0) wrongPort.push({ lb, id, wrong, right });
      if (!right) missing.set(lb.label, [...(missing.get(lb.label) ?? []), id]);
      else if (wrong.length === 0)
        b.add({
          code: 'INSTANCE_REGISTERED',
          resource: `${lb.label}:${id}`,
          expected: 'registered',
          actual: 'registered',
          message: `${id} is registered on ${lb.label}`,
        });
    }
  }
  const registerStep = new Map<string, number>();
  for (const lb of existing(picture)) {
    const ok: string[] = [];
    for (const id of missing.get(lb.label) ?? []) {
      // only running instances of this cluster are ever registered
      const check = registrable(picture.instances.get(id), cluster);
      if (check.ok) {
        ok.push(id);
        continue;
      }
      b.add({
        code: check.foreign ? 'INSTANCE_OF_OTHER_CLUSTER' : 'INSTANCE_NOT_RUNNING',
        resource: `${lb.label}:${id}`,
        expected: check.foreign ? `an instance of ${cluster}` : 'running',
        actual: check.actual,
        action: 'skipped',
        message: `${id} was not registered on ${lb.label}: ${check.actual}`,
      });
    }
    if (ok.length === 0) continue;
    const step = b.step({ kind: 'register', lb: lb.label, ids: ok });
    for (const id of ok) registerStep.set(`${lb.label}:${id}`, step);
    const onWrongPort = new Set(wrongPort.filter((w) => w.lb === lb).map((w) => w.id));
    for (const id of ok) {
      // an instance on the wrong port gets one TARGET_WRONG_PORT finding instead
      if (onWrongPort.has(id)) continue;
      b.add({
        code: 'INSTANCE_NOT_REGISTERED',
        resource: `${lb.label}:${id}`,
        expected: 'registered',
        actual: 'not registered',
        message: `${id} (${scope.desired.get(id)}) was not registered on ${lb.label}`,
        repair: { step, done: 'Registered it' },
        // the group lets alerts fold this under its load balancer's detachment (alerts/causes.ts)
        details: { group: scope.desired.get(id) ?? null },
      });
    }
  }
  // the right-port registration comes first; the wrong one goes only once the right one exists
  for (const w of wrongPort) {
    const ports = w.wrong.join(', ');
    const actual = `registered on port(s) ${ports}${w.right ? ` as well as ${port}` : ` only`}`;
    const done = `Registered it on port ${port} and removed port(s) ${ports}`;
    const after = registerStep.get(`${w.lb.label}:${w.id}`);
    const repair =
      w.right || after !== undefined
        ? {
            step: b.step({
              kind: 'deregisterPorts',
              lb: w.lb.label,
              id: w.id,
              ports: w.wrong,
              ...(w.right ? {} : { after }),
            }),
            done,
          }
        : { blocked: 'no registration on the right port could be made', done };
    b.add({
      code: 'TARGET_WRONG_PORT',
      resource: `${w.lb.label}:${w.id}`,
      expected: `registered on port ${port} (api.instancePort)`,
      actual,
      message: `${w.id} was ${actual} on ${w.lb.label}`,
      repair,
    });
  }
  return wrongPort;
}

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

function planStale(b: Builder, picture: Picture) {
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

/**
 * The second half of a plan: registrations. Every desired instance registered on the apiserver
 * port of every existing load balancer (running instances of this cluster only), wrong ports
 * replaced, leaving and (in a sweep) stale instances deregistered, other groups' and untagged
 * backends left alone and reported.
 */
export function planRegistrations(picture: Picture): Plan {
  const b = new Builder();
  planRegister(b, picture);
  planStale(b, picture);
  return b.plan();
}

/** Two plans as one: the second's step indices shift past the first's. */
export function joinPlans(first: Plan, second: Plan): Plan {
  const shift = first.steps.length;
  return {
    steps: [
      ...first.steps,
      ...second.steps.map((s) =>
        s.kind === 'deregisterPorts' && s.after !== undefined ? { ...s, after: s.after + shift } : s,
      ),
    ],
    proposals: [
      ...first.proposals,
      ...second.proposals.map((p) =>
        p.repair && 'step' in p.repair ? { ...p, repair: { ...p.repair, step: p.repair.step + shift } } : p,
      ),
    ],
    shared: new Set([...first.shared, ...second.shared]),
  };
}

/**
 * Plans one scope from its picture: no I/O, no mode. The verifier and a dry run present the plan
 * unapplied; the registrar applies it (attachments first, then registrations on a fresh read).
 */
export function plan(picture: Picture): Plan {
  return joinPlans(planAttachments(picture), planRegistrations(picture));
}
