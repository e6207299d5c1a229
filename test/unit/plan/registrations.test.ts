import { describe, it } from 'vitest';
import { type Case, check } from './cases.ts';
import { E, G1, G2, id, T } from './picture.ts';

const [i1, i2, i3] = [id(1), id(2), id(3)];
const attached = (lb: string, g = G1) => `LB_ATTACHED ${lb}:${g} none`;
const both = [attached(E), attached(T)];

/**
 * README/design: every live (Pending or InService) instance of a group in scope is registered on
 * every existing configured load balancer, on api.instancePort; only running instances of this
 * cluster are ever registered.
 */
const cases: Case[] = [
  {
    name: 'a launched instance missing from the classic ELB is registered there',
    world: { classic: [], tg: { 1: [443] } },
    steps: [`register ${E} ${i1}`],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_NOT_REGISTERED ${E}:${i1} would-repair`,
    ],
  },
  {
    name: 'missing everywhere: one register step per load balancer',
    world: { classic: [], tg: {} },
    steps: [`register ${E} ${i1}`, `register ${T} ${i1}`],
    findings: [
      ...both,
      `INSTANCE_NOT_REGISTERED ${E}:${i1} would-repair`,
      `INSTANCE_NOT_REGISTERED ${T}:${i1} would-repair`,
    ],
  },
  {
    name: 'two missing instances go in one register call',
    world: { groups: [{ instances: [1, 2] }], classic: [1, 2], tg: {} },
    steps: [`register ${T} ${i1},${i2}`],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${E}:${i2} none`,
      `INSTANCE_NOT_REGISTERED ${T}:${i1} would-repair`,
      `INSTANCE_NOT_REGISTERED ${T}:${i2} would-repair`,
    ],
  },
  {
    name: 'an instance Pending:Wait in a launch hook is desired and registered',
    world: { groups: [{ instances: { 1: 'Pending:Wait' } }], classic: [], tg: { 1: [443] } },
    steps: [`register ${E} ${i1}`],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_NOT_REGISTERED ${E}:${i1} would-repair`,
    ],
  },
  {
    name: 'a stopped instance is never registered',
    world: { classic: [], tg: { 1: [443] }, ec2: { 1: { state: 'stopped' } } },
    steps: [],
    findings: [...both, `INSTANCE_REGISTERED ${T}:${i1} none`, `INSTANCE_NOT_RUNNING ${E}:${i1} skipped`],
  },
  {
    name: 'an instance EC2 no longer knows is never registered',
    world: { classic: [], tg: { 1: [443] }, ec2: {} },
    steps: [],
    findings: [...both, `INSTANCE_REGISTERED ${T}:${i1} none`, `INSTANCE_NOT_RUNNING ${E}:${i1} skipped`],
  },
  {
    name: 'an instance tagged KubernetesCluster for another cluster is never registered',
    world: { classic: [], tg: { 1: [443] }, ec2: { 1: { is: 'other' } } },
    steps: [],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_OF_OTHER_CLUSTER ${E}:${i1} skipped`,
    ],
  },
  {
    name: 'an instance with only another kubernetes.io/cluster tag is never registered',
    world: { classic: [], tg: {}, ec2: { 1: { is: 'other-k8s-tag' } } },
    steps: [],
    findings: [
      ...both,
      `INSTANCE_OF_OTHER_CLUSTER ${E}:${i1} skipped`,
      `INSTANCE_OF_OTHER_CLUSTER ${T}:${i1} skipped`,
    ],
  },
  {
    name: 'a running instance without cluster tags is registered (no tag says it is foreign)',
    world: { classic: [1], tg: {}, ec2: { 1: { is: 'untagged' } } },
    steps: [`register ${T} ${i1}`],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_NOT_REGISTERED ${T}:${i1} would-repair`,
    ],
  },
  {
    name: 'one running and one stopped instance: only the running one is registered',
    world: {
      groups: [{ instances: [1, 2] }],
      classic: [],
      tg: { 1: [443], 2: [443] },
      ec2: { 1: {}, 2: { state: 'stopped' } },
    },
    steps: [`register ${E} ${i1}`],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i2} none`,
      `INSTANCE_NOT_RUNNING ${E}:${i2} skipped`,
      `INSTANCE_NOT_REGISTERED ${E}:${i1} would-repair`,
    ],
  },
  {
    name: 'an instance in Standby is neither desired nor stale: left as it is',
    world: { groups: [{ instances: { 1: 'InService', 2: 'Standby' } }], classic: [1, 2], tg: { 1: [443] } },
    steps: [],
    findings: [...both, `INSTANCE_REGISTERED ${E}:${i1} none`, `INSTANCE_REGISTERED ${T}:${i1} none`],
  },
  {
    name: 'a launch event judges its own group only',
    world: {
      scope: { kind: 'launch', n: 1 },
      groups: [{ instances: [1] }, { name: G2, instances: [2], attached: [] }],
      classic: [1],
      tg: { 1: [443] },
    },
    steps: [],
    findings: [...both, `INSTANCE_REGISTERED ${E}:${i1} none`, `INSTANCE_REGISTERED ${T}:${i1} none`],
  },
  {
    name: 'a launch event delivered again after the registration: nothing twice',
    world: {
      scope: { kind: 'launch', n: 2 },
      groups: [{ instances: [1, 2] }],
      classic: [1, 2],
      tg: { 1: [443], 2: [443] },
    },
    steps: [],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${E}:${i2} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i2} none`,
    ],
  },
  {
    name: 'an API-server group is an API backend like the control plane',
    world: {
      groups: [
        { instances: [1] },
        { name: 'apiserver-eu-west-1a.apiservers.k8s.example.com', instances: [3] },
      ],
      classic: [1],
      tg: { 1: [443], 3: [443] },
    },
    steps: [`register ${E} ${i3}`],
    findings: [
      ...both,
      attached(E, 'apiserver-eu-west-1a.apiservers.k8s.example.com'),
      attached(T, 'apiserver-eu-west-1a.apiservers.k8s.example.com'),
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `INSTANCE_REGISTERED ${T}:${i3} none`,
      `INSTANCE_NOT_REGISTERED ${E}:${i3} would-repair`,
    ],
  },
];

/** design.md: a target-group registration counts only on api.instancePort; the right one comes first. */
const ports: Case[] = [
  {
    name: 'a target on another port only: register the right port, then remove the wrong one',
    world: { classic: [1], tg: { 1: [8443] } },
    steps: [`register ${T} ${i1}`, `deregisterPorts ${T} ${i1} 8443 after 0`],
    findings: [...both, `INSTANCE_REGISTERED ${E}:${i1} none`, `TARGET_WRONG_PORT ${T}:${i1} would-repair`],
  },
  {
    name: 'a target on the right and a wrong port: only the wrong one is removed, no re-read needed',
    world: { classic: [1], tg: { 1: [443, 8443] } },
    steps: [`deregisterPorts ${T} ${i1} 8443`],
    findings: [...both, `INSTANCE_REGISTERED ${E}:${i1} none`, `TARGET_WRONG_PORT ${T}:${i1} would-repair`],
  },
  {
    name: 'api.instancePort 6443: a target on 443 is on the wrong port',
    world: { lbs: { instancePort: 6443 }, classic: [1], tg: { 1: [443] } },
    steps: [`register ${T} ${i1}`, `deregisterPorts ${T} ${i1} 443 after 0`],
    findings: [...both, `INSTANCE_REGISTERED ${E}:${i1} none`, `TARGET_WRONG_PORT ${T}:${i1} would-repair`],
  },
  {
    name: 'wrong port on an instance that no longer runs: no right-port registration, so nothing is removed',
    world: { classic: [1], tg: { 1: [8443] }, ec2: { 1: { state: 'stopped' } } },
    steps: [],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_NOT_RUNNING ${T}:${i1} skipped`,
      `TARGET_WRONG_PORT ${T}:${i1} would-repair`,
    ],
  },
  {
    name: 'two wrong ports are removed together',
    world: { classic: [1], tg: { 1: [443, 80, 8443] } },
    steps: [`deregisterPorts ${T} ${i1} 80,8443`],
    findings: [...both, `INSTANCE_REGISTERED ${E}:${i1} none`, `TARGET_WRONG_PORT ${T}:${i1} would-repair`],
  },
  {
    name: 'one instance right, one wrong: the right one is left alone',
    world: { groups: [{ instances: [1, 2] }], classic: [1, 2], tg: { 1: [443], 2: [8443] } },
    steps: [`register ${T} ${i2}`, `deregisterPorts ${T} ${i2} 8443 after 0`],
    findings: [
      ...both,
      `INSTANCE_REGISTERED ${E}:${i1} none`,
      `INSTANCE_REGISTERED ${E}:${i2} none`,
      `INSTANCE_REGISTERED ${T}:${i1} none`,
      `TARGET_WRONG_PORT ${T}:${i2} would-repair`,
    ],
  },
];

describe('plan: registrations', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('plan: registrations count on api.instancePort only', () => {
  for (const c of ports) it(c.name, () => check(c));
});
