import { describe, expect, it } from 'vitest';
import type { ControlPlaneGroup } from '../../../functions/core/discovery/control-plane.ts';
import { warmingUp } from '../../../functions/core/verify/verify.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const cp = (instances: Array<[string, string]>): ControlPlaneGroup =>
  ({
    name: 'control-plane-eu-west-1a.masters.k8s.example.com',
    cluster: 'k8s.example.com',
    instances: instances.map(([instanceId, lifecycleState]) => ({
      instanceId,
      lifecycleState,
      healthStatus: 'Healthy',
      availabilityZone: 'eu-west-1a',
    })),
  }) as ControlPlaneGroup;

describe('which instances are held back as warming up', () => {
  it('a young live control-plane member is held; an old one is judged', () => {
    const groups = [
      cp([
        ['i-young', 'InService'],
        ['i-old', 'InService'],
      ]),
    ];
    const launched = new Map([
      ['i-young', { launchTime: minutesAgo(3) }],
      ['i-old', { launchTime: minutesAgo(16) }],
    ]);
    expect([...warmingUp(groups, launched, 15, NOW)]).toEqual(['i-young']);
  });

  it('an instance registered on the load balancer but in no control-plane group is never held', () => {
    // a node instance, launched a minute ago and registered by mistake
    const launched = new Map([['i-node', { launchTime: minutesAgo(1) }]]);
    expect([...warmingUp([cp([])], launched, 15, NOW)]).toEqual([]);
  });

  it('a member that is leaving its group is judged, however young', () => {
    const groups = [
      cp([
        ['i-leaving', 'Terminating:Wait'],
        ['i-standby', 'Standby'],
      ]),
    ];
    const launched = new Map([
      ['i-leaving', { launchTime: minutesAgo(2) }],
      ['i-standby', { launchTime: minutesAgo(2) }],
    ]);
    expect([...warmingUp(groups, launched, 15, NOW)]).toEqual([]);
  });

  it('without a launch time, only a member its group calls Pending is held', () => {
    const groups = [
      cp([
        ['i-pending', 'Pending:Wait'],
        ['i-unknown', 'InService'],
      ]),
    ];
    expect([...warmingUp(groups, new Map(), 15, NOW)]).toEqual(['i-pending']);
  });

  it('a Pending member launched before the deadline is judged (its follow-up has given its verdict)', () => {
    const groups = [cp([['i-stuck', 'Pending:Wait']])];
    const launched = new Map([['i-stuck', { launchTime: minutesAgo(40) }]]);
    expect([...warmingUp(groups, launched, 15, NOW)]).toEqual([]);
  });
});
