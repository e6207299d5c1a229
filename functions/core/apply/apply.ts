import { errorMessage } from '../aws/errors.ts';
import type { Finding } from '../findings/finding.ts';
import type { LoadBalancerPort } from '../lb/port.ts';
import { type Outcome, presentAs } from '../plan/present.ts';
import type { Plan, Step } from '../plan/steps.ts';

export interface Applied {
  findings: Finding[];
  /** Instances registered, per load balancer label. */
  registered: { instanceId: string; loadBalancer: string }[];
  deregistered: { instanceId: string; loadBalancer: string }[];
  /** Labels of the load balancers an attach step attached. */
  attached: string[];
}

const NO_RIGHT_PORT = 'no registration on the right port could be made';

async function run(step: Step, adapter: LoadBalancerPort, outcomes: readonly Outcome[]): Promise<Outcome> {
  if (step.kind === 'deregisterPorts') {
    const needed = step.after === undefined ? undefined : outcomes[step.after];
    if (needed && !needed.ok) return { ok: false, error: NO_RIGHT_PORT };
  }
  try {
    switch (step.kind) {
      case 'attach':
        await adapter.attach(step.group);
        break;
      case 'register':
        await adapter.register(step.ids);
        break;
      case 'deregister':
        await adapter.deregister(step.ids);
        break;
      case 'deregisterPorts': {
        if (!adapter.deregisterPorts) return { ok: false, error: NO_RIGHT_PORT };
        // read again after registering: only a wrong-port registration still there is removed
        const still =
          step.after !== undefined && adapter.portsNow
            ? (await adapter.portsNow(step.id)).filter((p) => step.ports.includes(p))
            : step.ports;
        await adapter.deregisterPorts(step.id, still);
        break;
      }
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}

/**
 * Applies a plan's steps in order through the load-balancer adapters, and turns each proposal
 * into a finding: `repaired` when its step went through, `repair-failed` (with the error) when
 * not. A failed step does not stop the others.
 */
export async function applyPlan(
  cluster: string,
  plan: Plan,
  adapters: readonly LoadBalancerPort[],
): Promise<Applied> {
  const byLabel = new Map(adapters.map((a) => [a.label, a]));
  const outcomes: Outcome[] = [];
  for (const step of plan.steps) {
    const adapter = byLabel.get(step.lb);
    outcomes.push(
      adapter ? await run(step, adapter, outcomes) : { ok: false, error: `no adapter for ${step.lb}` },
    );
  }
  const applied: Applied = { findings: [], registered: [], deregistered: [], attached: [] };
  plan.steps.forEach((step, i) => {
    if (!outcomes[i]?.ok) return;
    if (step.kind === 'attach' && !applied.attached.includes(step.lb)) applied.attached.push(step.lb);
    if (step.kind === 'register')
      applied.registered.push(...step.ids.map((instanceId) => ({ instanceId, loadBalancer: step.lb })));
    if (step.kind === 'deregister')
      applied.deregistered.push(...step.ids.map((instanceId) => ({ instanceId, loadBalancer: step.lb })));
  });
  for (const p of plan.proposals) {
    const repair = p.repair;
    if (!repair) {
      applied.findings.push(presentAs(cluster, p, p.action ?? 'none'));
      continue;
    }
    const outcome: Outcome =
      'step' in repair
        ? (outcomes[repair.step] ?? { ok: false, error: 'not run' })
        : { ok: false, error: repair.blocked };
    applied.findings.push(
      outcome.ok ? presentAs(cluster, p, 'repaired') : presentAs(cluster, p, 'repair-failed', outcome.error),
    );
  }
  return applied;
}
