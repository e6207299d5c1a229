import { expect } from 'vitest';
import { plan } from '../../../functions/core/plan/plan.ts';
import { unapplied } from '../../../functions/core/plan/present.ts';
import { brief, CLUSTER, picture, stepText, type WorldSpec } from './picture.ts';

/** One row of a planner table: what AWS said, and the steps and findings (in order) the plan makes. */
export interface Case {
  name: string;
  world: WorldSpec;
  steps: string[];
  /** `CODE resource action`, as a report-only run presents them (repairs are `would-repair`). */
  findings: string[];
}

export function check(c: Case) {
  const p = plan(picture(c.world));
  expect(p.steps.map(stepText)).toEqual(c.steps);
  expect(unapplied(CLUSTER, p, 'would-repair').map(brief)).toEqual(c.findings);
}
