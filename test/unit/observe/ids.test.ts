import { describe, expect, it } from 'vitest';
import { missingIds, unknownIds } from '../../../functions/core/observe/picture.ts';
import { id, picture } from '../plan/picture.ts';

/** What observe asks EC2 about: only ids the plan may judge, none in steady state (design.md: three reads). */
describe('the ids observe describes', () => {
  it('steady state: nothing missing, nothing unknown, so no DescribeInstances', () => {
    const p = picture({ classic: [1], tg: { 1: [443] } });
    expect(missingIds(p.scope, p.lbs)).toEqual([]);
    expect(unknownIds(p.scope, p.lbs)).toEqual([]);
  });

  it('a desired instance missing on one load balancer, or only on a wrong port, is asked about once', () => {
    const p = picture({ groups: [{ instances: [1, 2] }], classic: [2], tg: { 1: [8443], 2: [443] } });
    expect(missingIds(p.scope, p.lbs)).toEqual([id(1)]);
  });

  it('a load balancer that does not exist makes nothing missing', () => {
    const p = picture({ classic: 'absent', tg: { 1: [443] } });
    expect(missingIds(p.scope, p.lbs)).toEqual([]);
  });

  it('unknown ids: a sweep only, instance targets only, never a leaving or known instance', () => {
    const sweep = picture({
      groups: [{ instances: { 1: 'InService', 2: 'Terminating', 3: 'Standby' } }],
      classic: [1, 2, 3, 5],
      tg: { 1: [443] },
    });
    sweep.lbs[1]?.instanceIds.add('10.0.0.5');
    expect(unknownIds(sweep.scope, sweep.lbs)).toEqual([id(5)]);
    const event = picture({ scope: 'group', classic: [1, 5], tg: { 1: [443] } });
    expect(unknownIds(event.scope, event.lbs)).toEqual([]);
  });
});
