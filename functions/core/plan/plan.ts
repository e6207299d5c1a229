import type { Picture } from '../observe/picture.ts';
import { planAttachments } from './attachments.ts';
import { Builder } from './builder.ts';
import { planStale } from './prune.ts';
import { planRegister } from './register.ts';
import type { Plan } from './steps.ts';

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
