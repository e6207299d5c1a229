import type { Picture } from '../observe/picture.ts';
import type { Plan, Proposal, Step } from './steps.ts';

/** Collects a plan's steps and proposals; `step` returns the index a proposal's repair refers to. */
export class Builder {
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

export const existing = (picture: Picture) => picture.lbs.filter((lb) => lb.exists);
