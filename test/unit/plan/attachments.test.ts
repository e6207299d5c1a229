import { describe, it } from 'vitest';
import { type Case, check } from './cases.ts';
import { E, G1, G2, id, T } from './picture.ts';

const i1 = id(1);
const i2 = id(2);

/** README/design: attachments come from the group's own description; a missing one is attached. */
const cases: Case[] = [
  {
    name: 'steady state: attached and registered everywhere, nothing to do',
    world: { classic: [1], tg: { 1: [443] } },
    steps: [],
    findings: [
      `LB_ATTACHED ${E}:${G1} none`,
      `LB_ATTACHED ${T}:${G1} none`,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
    ],
  },
  {
    name: 'a classic ELB that kops update detached is attached again',
    world: { groups: [{ attached: ['tg'] }], classic: [1], tg: { 1: [443] } },
    steps: [`attach ${E} ${G1}`],
    findings: [
      `LB_NOT_ATTACHED ${E}:${G1} would-repair`,
      `LB_ATTACHED ${T}:${G1} none`,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
    ],
  },
  {
    name: 'both load balancers detached: two attach steps, and the registrations they would bring',
    world: { groups: [{ attached: [] }] },
    steps: [`attach ${E} ${G1}`, `attach ${T} ${G1}`, `register ${E} ${i1}`, `register ${T} ${i1}`],
    findings: [
      `LB_NOT_ATTACHED ${E}:${G1} would-repair`,
      `LB_NOT_ATTACHED ${T}:${G1} would-repair`,
      `INSTANCE_NOT_REGISTERED ${E}:${i1} would-repair`,
      `INSTANCE_NOT_REGISTERED ${T}:${i1} would-repair`,
    ],
  },
  {
    name: 'two groups: only the detached one is attached',
    world: {
      groups: [{ instances: [1] }, { name: G2, instances: [2], attached: ['classic'] }],
      classic: [1, 2],
      tg: { 1: [443], 2: [443] },
    },
    steps: [`attach ${T} ${G2}`],
    findings: [
      `LB_ATTACHED ${E}:${G1} none`,
      `LB_ATTACHED ${T}:${G1} none`,
      `LB_ATTACHED ${E}:${G2} none`,
      `LB_NOT_ATTACHED ${T}:${G2} would-repair`,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${E}:${i2} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i2} none`,
    ],
  },
  {
    name: 'a configured classic ELB that does not exist is reported, and nothing is planned on it',
    world: { classic: 'absent', tg: { 1: [443] } },
    steps: [],
    findings: [
      `LOAD_BALANCER_NOT_FOUND ${E} none`,
      `LB_ATTACHED ${T}:${G1} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
    ],
  },
  {
    name: 'a target group that does not exist: the classic ELB is still repaired',
    world: { classic: [], tg: 'absent' },
    steps: [`register ${E} ${i1}`],
    findings: [
      `LOAD_BALANCER_NOT_FOUND ${T} none`,
      `LB_ATTACHED ${E}:${G1} none`,
      `INSTANCE_NOT_REGISTERED ${E}:${i1} would-repair`,
    ],
  },
  {
    name: 'no configured load balancer exists: two findings, no step',
    world: { classic: 'absent', tg: 'absent' },
    steps: [],
    findings: [`LOAD_BALANCER_NOT_FOUND ${E} none`, `LOAD_BALANCER_NOT_FOUND ${T} none`],
  },
  {
    name: 'a sweep that discovered no group prunes nothing (an empty picture is not a reason to deregister)',
    world: { groups: [], classic: [5], tg: { 5: [443] }, ec2: { 5: { state: 'stopped' } } },
    steps: [],
    findings: [],
  },
  {
    name: 'only classic ELBs configured: no target-group finding at all',
    world: { lbs: { tgs: [] }, classic: [1] },
    steps: [],
    findings: [`LB_ATTACHED ${E}:${G1} none`, `INSTANCE_REGISTERED ${E}:${i1} none`],
  },
];

describe('plan: load balancers and attachments', () => {
  for (const c of cases) it(c.name, () => check(c));
});
