import { describe, expect, it } from 'vitest';
import { plan } from '../../../functions/core/plan/plan.ts';
import { type Case, check } from './cases.ts';
import { E, G1, id, NODES, picture, T } from './picture.ts';

const [i1, i2, i5] = [id(1), id(2), id(5)];
const both = [`LB_ATTACHED ${E}:${G1} none`, `LB_ATTACHED ${T}:${G1} none`];
const i2LeavesEverywhere = {
  steps: [`deregister ${E} ${i2}`, `deregister ${T} ${i2}`],
  findings: [
    `LB_ATTACHED ${E}:${G1} none`,
    `LB_ATTACHED ${T}:${G1} none`,
    `INSTANCE_REGISTERED ${E}:${i1} none`,
    `INSTANCE_REGISTERED ${T}:${i1} none`,
    `STALE_REGISTRATION ${E}:${i2} would-repair`,
    `STALE_REGISTRATION ${T}:${i2} would-repair`,
  ],
};
const registered1 = [`INSTANCE_REGISTERED ${E}:${i1} none`, `INSTANCE_REGISTERED ${T}:${i1} none`];

/**
 * design.md: a confirmed terminate (or an instance leaving its group) is deregistered; the sweep
 * also removes registrations of instances in no control-plane group (stopped, nodes, other
 * clusters), except a running API backend of the cluster by its own tags (INSTANCE_NOT_IN_GROUP)
 * and what another attached group keeps (LB_SHARED_WITH_OTHER_GROUP).
 */
const leaving: Case[] = [
  {
    name: 'a confirmed terminate event deregisters its instance everywhere, though the group still lists it',
    world: {
      scope: { kind: 'terminate', n: 2 },
      groups: [{ instances: [1, 2] }],
      classic: [1, 2],
      tg: { 1: [443], 2: [443] },
    },
    ...i2LeavesEverywhere,
  },
  {
    name: 'a terminate for an instance already gone from the load balancers: INSTANCE_DEREGISTERED, no step',
    world: {
      scope: { kind: 'terminate', n: 2 },
      groups: [{ instances: [1] }],
      classic: [1],
      tg: { 1: [443] },
    },
    steps: [],
    findings: [
      ...both,
      ...registered1,
      `INSTANCE_DEREGISTERED ${E}:${i2} none`,
      `INSTANCE_DEREGISTERED ${T}:${i2} none`,
    ],
  },
  {
    name: 'an instance Terminating:Wait in its group is deregistered',
    world: {
      groups: [{ instances: { 1: 'InService', 2: 'Terminating:Wait' } }],
      classic: [1, 2],
      tg: { 1: [443], 2: [443] },
    },
    ...i2LeavesEverywhere,
  },
  {
    name: 'a detaching instance is deregistered where it is still registered, reported gone where not',
    world: { groups: [{ instances: { 1: 'InService', 2: 'Detaching' } }], classic: [1, 2], tg: { 1: [443] } },
    steps: [`deregister ${E} ${i2}`],
    findings: [
      ...both,
      ...registered1,
      `STALE_REGISTRATION ${E}:${i2} would-repair`,
      `INSTANCE_DEREGISTERED ${T}:${i2} none`,
    ],
  },
  {
    name: 'a rolling update: the replacement registered, the old one leaving deregistered, in one plan',
    world: { groups: [{ instances: { 1: 'Terminating', 2: 'InService' } }], classic: [1], tg: { 1: [443] } },
    steps: [`register ${E} ${i2}`, `register ${T} ${i2}`, `deregister ${E} ${i1}`, `deregister ${T} ${i1}`],
    findings: [
      ...both,
      `INSTANCE_NOT_REGISTERED ${E}:${i2} would-repair`,
      `INSTANCE_NOT_REGISTERED ${T}:${i2} would-repair`,
      `STALE_REGISTRATION ${E}:${i1} would-repair`,
      `STALE_REGISTRATION ${T}:${i1} would-repair`,
    ],
  },
];

const sweep: Case[] = [
  {
    name: 'sweep: a stopped instance in no group is stale',
    world: { classic: [1, 5], tg: { 1: [443] }, ec2: { 1: {}, 5: { state: 'stopped' } } },
    steps: [`deregister ${E} ${i5}`],
    findings: [...both, ...registered1, `STALE_REGISTRATION ${E}:${i5} would-repair`],
  },
  {
    name: 'sweep: a node of the cluster registered by hand is stale',
    world: { classic: [1], tg: { 1: [443], 5: [443] }, ec2: { 1: {}, 5: { is: 'node' } } },
    steps: [`deregister ${T} ${i5}`],
    findings: [...both, ...registered1, `STALE_REGISTRATION ${T}:${i5} would-repair`],
  },
  {
    name: "sweep: another cluster's control-plane instance is stale",
    world: { classic: [1, 5], tg: { 1: [443] }, ec2: { 1: {}, 5: { is: 'other' } } },
    steps: [`deregister ${E} ${i5}`],
    findings: [...both, ...registered1, `STALE_REGISTRATION ${E}:${i5} would-repair`],
  },
  {
    name: 'sweep: an instance EC2 no longer knows is stale',
    world: { classic: [1, 5], tg: { 1: [443] }, ec2: { 1: {} } },
    steps: [`deregister ${E} ${i5}`],
    findings: [...both, ...registered1, `STALE_REGISTRATION ${E}:${i5} would-repair`],
  },
  {
    name: 'sweep: a running control-plane instance whose group lost its tags is kept and reported',
    world: { classic: [1, 5], tg: { 1: [443], 5: [443] }, ec2: { 1: {}, 5: {} } },
    steps: [],
    findings: [
      ...both,
      ...registered1,
      `INSTANCE_NOT_IN_GROUP ${E}:${i5} skipped`,
      `INSTANCE_NOT_IN_GROUP ${T}:${i5} skipped`,
    ],
  },
  {
    name: 'sweep: a stopped control-plane instance in no group is stale (only a running one is kept)',
    world: { classic: [1, 5], tg: { 1: [443] }, ec2: { 1: {}, 5: { state: 'stopped' } } },
    steps: [`deregister ${E} ${i5}`],
    findings: [...both, ...registered1, `STALE_REGISTRATION ${E}:${i5} would-repair`],
  },
  {
    name: 'an event run never prunes instances of other groups',
    world: { scope: 'group', classic: [1, 5], tg: { 1: [443] }, ec2: { 1: {}, 5: { state: 'stopped' } } },
    steps: [],
    findings: [...both, ...registered1],
  },
  {
    name: 'sweep: a node group attached to both load balancers keeps its instances; one finding per load balancer',
    world: {
      classic: [1, 5, 6],
      tg: { 1: [443], 5: [443], 6: [443] },
      ec2: { 1: {}, 5: { is: 'node' }, 6: { is: 'node' } },
      heldBy: {
        5: { group: NODES, attached: ['classic', 'tg'] },
        6: { group: NODES, attached: ['classic', 'tg'] },
      },
    },
    steps: [],
    findings: [
      ...both,
      ...registered1,
      `LB_SHARED_WITH_OTHER_GROUP ${E}:${NODES} skipped`,
      `LB_SHARED_WITH_OTHER_GROUP ${T}:${NODES} skipped`,
    ],
  },
  {
    name: 'sweep: a node group attached to the classic ELB only: its instance registered by hand on the target group is stale',
    world: {
      classic: [1, 5],
      tg: { 1: [443], 5: [443] },
      ec2: { 1: {}, 5: { is: 'node' } },
      heldBy: { 5: { group: NODES, attached: ['classic'] } },
    },
    steps: [`deregister ${T} ${i5}`],
    findings: [
      ...both,
      ...registered1,
      `LB_SHARED_WITH_OTHER_GROUP ${E}:${NODES} skipped`,
      `STALE_REGISTRATION ${T}:${i5} would-repair`,
    ],
  },
  {
    name: 'sweep: an instance of another group registered by hand, that group not attached, is stale',
    world: {
      classic: [1, 5],
      tg: { 1: [443] },
      ec2: { 1: {}, 5: { is: 'node' } },
      heldBy: { 5: { group: NODES } },
    },
    steps: [`deregister ${E} ${i5}`],
    findings: [...both, ...registered1, `STALE_REGISTRATION ${E}:${i5} would-repair`],
  },
  {
    name: 'sweep: leaving and unknown instances on one load balancer go in one deregister call',
    world: {
      groups: [{ instances: { 1: 'InService', 2: 'Terminating' } }],
      classic: [1, 2, 5],
      tg: { 1: [443] },
      ec2: { 1: {}, 5: { state: 'stopped' } },
    },
    steps: [`deregister ${E} ${i2},${i5}`],
    findings: [
      ...both,
      ...registered1,
      `STALE_REGISTRATION ${E}:${i2} would-repair`,
      `STALE_REGISTRATION ${E}:${i5} would-repair`,
      `INSTANCE_DEREGISTERED ${T}:${i2} none`,
    ],
  },
];

describe('plan: leaving instances', () => {
  for (const c of leaving) it(c.name, () => check(c));
});

describe('plan: the sweep prunes what no group holds', () => {
  for (const c of sweep) it(c.name, () => check(c));

  it('an IP target of a target group is not the sweep’s to judge', () => {
    const p = picture({ classic: [1], tg: { 1: [443] } });
    const tg = p.lbs[1];
    tg?.instanceIds.add('10.0.0.5');
    tg?.ports?.set('10.0.0.5', [443]);
    expect(plan(p).steps).toEqual([]);
  });

  it('the other group’s instances are named (five at most) and marked shared, so the verifier skips them', () => {
    const nodes = [5, 6, 7, 8, 9, 10, 11];
    const p = picture({
      lbs: { tgs: [] },
      classic: [1, ...nodes],
      ec2: Object.fromEntries([[1, {}], ...nodes.map((n) => [n, { is: 'node' as const }])]),
      heldBy: Object.fromEntries(nodes.map((n) => [n, { group: NODES, attached: ['classic' as const] }])),
    });
    const planned = plan(p);
    const shared = planned.proposals.find((f) => f.code === 'LB_SHARED_WITH_OTHER_GROUP');
    expect(shared?.message).toBe(
      `${E} is also attached to ${NODES} (not a control-plane or API-server group of k8s.example.com); its 7 instance(s) (${nodes.slice(0, 5).map(id).join(', ')}, …) are left registered`,
    );
    expect(shared?.details).toEqual({ group: NODES, instanceIds: nodes.map(id) });
    expect([...planned.shared].sort()).toEqual(nodes.map(id).sort());
    expect(planned.steps).toEqual([]);
  });
});
