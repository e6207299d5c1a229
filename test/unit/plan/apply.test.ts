import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../functions/core/apply/apply.ts';
import type { LoadBalancerPort } from '../../../functions/core/lb/port.ts';
import { labelOf } from '../../../functions/core/lb/port.ts';
import { plan } from '../../../functions/core/plan/plan.ts';
import { brief, CLUSTER, G1, id, picture, T, TG } from './picture.ts';

const i1 = id(1);

/** An in-memory target group: registrations by instance and port; a register may be refused. */
function memoryTargetGroup(registered: Record<string, number[]>, opts: { refuseRegister?: boolean } = {}) {
  const state = new Map(Object.entries(registered));
  const calls: string[] = [];
  const ref = { kind: 'target-group' as const, arn: TG };
  const port: LoadBalancerPort = {
    ref,
    label: labelOf(ref),
    attach: async (group) => {
      calls.push(`attach ${group}`);
    },
    register: async (ids) => {
      calls.push(`register ${ids.join(',')}`);
      if (opts.refuseRegister)
        throw Object.assign(new Error('target is not running'), { name: 'InvalidTarget' });
      for (const i of ids) state.set(i, [...(state.get(i) ?? []), 443]);
    },
    deregister: async (ids) => {
      calls.push(`deregister ${ids.join(',')}`);
      for (const i of ids) state.delete(i);
    },
    deregisterPorts: async (i, ports) => {
      calls.push(`deregisterPorts ${i} ${ports.join(',')}`);
      state.set(
        i,
        (state.get(i) ?? []).filter((p) => !ports.includes(p)),
      );
    },
    portsNow: async (i) => {
      calls.push(`portsNow ${i}`);
      return state.get(i) ?? [];
    },
  };
  return { port, calls, state };
}

const world = { lbs: { classic: [] }, tg: { 1: [8443] } };

describe('applying a plan through the load-balancer port', () => {
  it('registers on the right port, reads the ports again, then removes the wrong one', async () => {
    const tg = memoryTargetGroup({ [i1]: [8443] });
    const applied = await applyPlan(CLUSTER, plan(picture(world)), [tg.port]);
    expect(tg.calls).toEqual([`register ${i1}`, `portsNow ${i1}`, `deregisterPorts ${i1} 8443`]);
    expect(tg.state.get(i1)).toEqual([443]);
    expect(applied.findings.map(brief)).toEqual([
      `LB_ATTACHED ${T}:${G1} none`,
      `TARGET_WRONG_PORT ${T}:${i1} repaired`,
    ]);
    expect(applied.findings[1]?.message).toBe(
      `${i1} was registered on port(s) 8443 only on ${T}: Registered it on port 443 and removed port(s) 8443`,
    );
    expect(applied.registered).toEqual([{ instanceId: i1, loadBalancer: T }]);
  });

  it('a refused registration keeps the wrong-port one: both findings say repair failed', async () => {
    const tg = memoryTargetGroup({ [i1]: [8443] }, { refuseRegister: true });
    const applied = await applyPlan(CLUSTER, plan(picture(world)), [tg.port]);
    expect(tg.calls).toEqual([`register ${i1}`]);
    expect(tg.state.get(i1)).toEqual([8443]);
    const wrong = applied.findings.find((f) => f.code === 'TARGET_WRONG_PORT');
    expect(wrong?.action).toBe('repair-failed');
    expect(wrong?.message).toMatch(/repair failed \(no registration on the right port could be made\)$/);
    expect(applied.registered).toEqual([]);
  });

  it('a failed step does not stop the next: the stale registration still goes', async () => {
    const tg = memoryTargetGroup({ [id(5)]: [443] }, { refuseRegister: true });
    const p = plan(
      picture({ lbs: { classic: [] }, tg: { 5: [443] }, ec2: { 1: {}, 5: { state: 'stopped' } } }),
    );
    const applied = await applyPlan(CLUSTER, p, [tg.port]);
    expect(tg.calls).toEqual([`register ${i1}`, `deregister ${id(5)}`]);
    expect(applied.findings.map(brief)).toEqual([
      `LB_ATTACHED ${T}:${G1} none`,
      `INSTANCE_NOT_REGISTERED ${T}:${i1} repair-failed`,
      `STALE_REGISTRATION ${T}:${id(5)} repaired`,
    ]);
    expect(applied.findings[1]?.message).toBe(
      `${i1} (${G1}) was not registered on ${T}: repair failed (InvalidTarget: target is not running)`,
    );
    expect(applied.deregistered).toEqual([{ instanceId: id(5), loadBalancer: T }]);
  });

  it('an attach step that went through is reported, so the registrar reads that load balancer again', async () => {
    const tg = memoryTargetGroup({});
    const p = plan(picture({ lbs: { classic: [] }, groups: [{ attached: [] }], tg: {} }));
    const applied = await applyPlan(
      CLUSTER,
      { ...p, steps: p.steps.slice(0, 1), proposals: p.proposals.slice(0, 1) },
      [tg.port],
    );
    expect(tg.calls).toEqual([`attach ${G1}`]);
    expect(applied.attached).toEqual([T]);
    expect(applied.findings.map(brief)).toEqual([`LB_NOT_ATTACHED ${T}:${G1} repaired`]);
  });
});
