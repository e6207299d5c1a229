import type { AwsClients } from '../aws/clients.ts';
import { awsCallFailed } from '../findings/aws-calls.ts';
import { type Finding, type Verdict, verdictOf } from '../findings/finding.ts';
import { adaptersOf } from '../lb/registrations.ts';
import { readLbStates } from '../observe/lb-state.ts';
import { complete, observe, observeLoadBalancers } from '../observe/picture.ts';
import type { ReconcileScope } from '../observe/scope.ts';
import { planAttachments } from '../plan/attachments.ts';
import { plan, planRegistrations } from '../plan/plan.ts';
import { unapplied } from '../plan/present.ts';
import { applyPlan } from './apply.ts';

/** A cluster's mode: repair the drift, or only say what would be repaired. */
export type Mode = 'repair' | 'report-only';

export interface ReconcileResult {
  verdict: Verdict;
  /** Instances this run registered, per load balancer label (the verifier follows them up). */
  registered: { instanceId: string; loadBalancer: string }[];
  deregistered: { instanceId: string; loadBalancer: string }[];
}

/**
 * The registrar's run over one scope: observe, plan, apply. Attachments are applied first: Auto
 * Scaling registers a group's instances when a load balancer is attached, so the load balancers
 * attached are read again and only what is still missing gets registered. Report-only stops
 * after the plan. An AWS read that fails ends the run with AWS_CALL_FAILED, keeping the findings
 * made so far.
 */
export async function reconcile(
  scope: ReconcileScope,
  clients: AwsClients,
  mode: Mode,
): Promise<ReconcileResult> {
  const cluster = scope.cluster.name;
  const adapters = adaptersOf(scope.cluster, clients);
  const findings: Finding[] = [];
  const result: ReconcileResult = { verdict: verdictOf(cluster, []), registered: [], deregistered: [] };
  try {
    if (mode === 'report-only') {
      const picture = await observe(clients, scope, adapters);
      findings.push(...unapplied(cluster, plan(picture), 'would-repair'));
    } else {
      const picture = await observeLoadBalancers(clients, scope, adapters);
      const attach = await applyPlan(cluster, planAttachments(picture), adapters);
      findings.push(...attach.findings);
      if (attach.attached.length > 0) {
        const again = await readLbStates(
          clients,
          scope.cluster,
          adapters.filter((a) => attach.attached.includes(a.label)),
        );
        picture.lbs = picture.lbs.map((lb) => again.find((s) => s.label === lb.label) ?? lb);
      }
      await complete(clients, picture);
      const rest = await applyPlan(cluster, planRegistrations(picture), adapters);
      findings.push(...rest.findings);
      result.registered = rest.registered;
      result.deregistered = rest.deregistered;
    }
  } catch (err) {
    findings.push(awsCallFailed(cluster, 'registrar', 'reconcile', err));
  }
  result.verdict = verdictOf(cluster, findings);
  return result;
}
