import type { AwsClients } from '../aws/clients.ts';
import { isControlPlaneInstance } from '../discovery/control-plane.ts';
import { awsCallFailed } from '../findings/aws-calls.ts';
import { type Finding, type Verdict, verdictOf } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { errorMessage } from '../lb/errors.ts';
import type { LoadBalancerPort, RegistrationState } from '../lb/port.ts';
import { portsOf, readRegistrations } from '../lb/registrations.ts';
import { describeInstances, registrable } from './instances.ts';
import type { ReconcileScope } from './scope.ts';

/** `check` is the verifier's: it judges like report-only but proposes nothing (the registrar repairs). */
/** Registrations the sweep may judge: instance targets (a target group of type `ip` holds addresses). */
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export type Mode = 'repair' | 'report-only' | 'check';

export interface ReconcileResult {
  verdict: Verdict;
  /** Instances this run registered, per load balancer label (the verifier follows them up). */
  registered: { instanceId: string; loadBalancer: string }[];
  deregistered: { instanceId: string; loadBalancer: string }[];
}

interface Ctx {
  scope: ReconcileScope;
  mode: Mode;
  findings: Finding[];
  result: ReconcileResult;
}

/** Runs an action in repair mode; in report-only mode only says what it would have done. */
async function act(
  ctx: Ctx,
  run: () => Promise<void>,
): Promise<{ action: Finding['action']; error?: string }> {
  if (ctx.mode === 'check') return { action: 'none' };
  if (ctx.mode === 'report-only') return { action: 'would-repair' };
  try {
    await run();
    return { action: 'repaired' };
  } catch (err) {
    return { action: 'repair-failed', error: errorMessage(err) };
  }
}

function actionText(action: Finding['action'], done: string, error?: string): string {
  if (action === 'repaired') return done;
  if (action === 'none') return 'left for the registrar to repair';
  if (action === 'would-repair')
    return `report-only: would have ${done.replace(/^(\w+)/, (w) => w.toLowerCase())}`;
  return `repair failed (${error ?? 'unknown error'})`;
}

async function ensureAttached(ctx: Ctx, ports: LoadBalancerPort[], exists: Map<string, RegistrationState>) {
  const cluster = ctx.scope.cluster.name;
  const attachedNow: string[] = [];
  for (const group of ctx.scope.groups) {
    for (const port of ports) {
      if (!exists.get(port.label)?.exists) continue;
      const resource = `${port.label}:${group.name}`;
      if (port.isAttached(group)) {
        ctx.findings.push(
          finding('LB_ATTACHED', {
            cluster,
            resource,
            expected: 'attached',
            actual: 'attached',
            message: `${port.label} is attached to ${group.name}`,
          }),
        );
        continue;
      }
      const { action, error } = await act(ctx, () => port.attach(group.name));
      if (action === 'repaired') attachedNow.push(port.label);
      ctx.findings.push(
        finding('LB_NOT_ATTACHED', {
          cluster,
          resource,
          expected: 'attached',
          actual: 'not attached',
          action,
          message: `${port.label} was not attached to ${group.name}: ${actionText(action, 'Attached it', error)}`,
        }),
      );
    }
  }
  return attachedNow;
}

async function ensureRegistered(
  ctx: Ctx,
  clients: AwsClients,
  ports: LoadBalancerPort[],
  state: Map<string, RegistrationState>,
) {
  const { scope } = ctx;
  const cluster = scope.cluster.name;
  const missing = new Map<string, string[]>();
  for (const port of ports) {
    const reg = state.get(port.label);
    if (!reg?.exists) continue;
    for (const id of scope.desired.keys()) {
      if (reg.instanceIds.has(id)) {
        ctx.findings.push(
          finding('INSTANCE_REGISTERED', {
            cluster,
            resource: `${port.label}:${id}`,
            expected: 'registered',
            actual: 'registered',
            message: `${id} is registered on ${port.label}`,
          }),
        );
      } else {
        missing.set(port.label, [...(missing.get(port.label) ?? []), id]);
      }
    }
  }
  if (missing.size === 0) return;
  // Describe before registering: only running instances of this cluster are ever registered.
  const facts = await describeInstances(clients, [...new Set([...missing.values()].flat())]);
  for (const port of ports) {
    const ids = missing.get(port.label) ?? [];
    const ok: string[] = [];
    for (const id of ids) {
      const check = registrable(facts.get(id), cluster);
      if (check.ok) {
        ok.push(id);
        continue;
      }
      ctx.findings.push(
        finding(check.foreign ? 'INSTANCE_OF_OTHER_CLUSTER' : 'INSTANCE_NOT_RUNNING', {
          cluster,
          resource: `${port.label}:${id}`,
          expected: check.foreign ? `an instance of ${cluster}` : 'running',
          actual: check.actual,
          action: 'skipped',
          message: `${id} was not registered on ${port.label}: ${check.actual}`,
        }),
      );
    }
    if (ok.length === 0) continue;
    const { action, error } = await act(ctx, () => port.register(ok));
    for (const id of ok) {
      if (action === 'repaired') ctx.result.registered.push({ instanceId: id, loadBalancer: port.label });
      ctx.findings.push(
        finding('INSTANCE_NOT_REGISTERED', {
          cluster,
          resource: `${port.label}:${id}`,
          expected: 'registered',
          actual: 'not registered',
          action,
          message: `${id} (${scope.desired.get(id)}) was not registered on ${port.label}: ${actionText(action, 'Registered it', error)}`,
        }),
      );
    }
  }
}

/**
 * Registered instances the sweep found in no control-plane group: a stopped or foreign instance
 * is stale, but a running instance tagged as a control-plane instance of this cluster is left
 * registered and reported (its group may have lost its tags or name; deregistering it could take
 * away the load balancer's last backend).
 */
async function protectedUnknowns(
  clients: AwsClients,
  scope: ReconcileScope,
  registered: Set<string>,
): Promise<Set<string>> {
  const unknown = [...registered].filter(
    (id) => !scope.desired.has(id) && !scope.known.has(id) && !scope.leaving.has(id),
  );
  if (!scope.pruneUnknown || unknown.length === 0) return new Set();
  const facts = await describeInstances(clients, unknown);
  return new Set(
    unknown.filter((id) => {
      const f = facts.get(id);
      return f?.state === 'running' && isControlPlaneInstance(f.tags, scope.cluster.name);
    }),
  );
}

async function removeStale(
  ctx: Ctx,
  clients: AwsClients,
  ports: LoadBalancerPort[],
  state: Map<string, RegistrationState>,
) {
  const { scope } = ctx;
  const cluster = scope.cluster.name;
  const allRegistered = new Set([...state.values()].flatMap((r) => (r.exists ? [...r.instanceIds] : [])));
  const keep = await protectedUnknowns(clients, scope, allRegistered);
  for (const port of ports) {
    const reg = state.get(port.label);
    if (!reg?.exists) continue;
    for (const id of scope.leaving) {
      if (reg.instanceIds.has(id)) continue;
      ctx.findings.push(
        finding('INSTANCE_DEREGISTERED', {
          cluster,
          resource: `${port.label}:${id}`,
          expected: 'not registered',
          actual: 'not registered',
          message: `${id} is no longer registered on ${port.label}`,
        }),
      );
    }
    for (const id of keep) {
      if (!reg.instanceIds.has(id)) continue;
      ctx.findings.push(
        finding('INSTANCE_NOT_IN_GROUP', {
          cluster,
          resource: `${port.label}:${id}`,
          expected: `a member of a control-plane group named *.masters.${cluster} and tagged for the cluster`,
          actual: 'a running control-plane instance of the cluster in no such group',
          action: 'skipped',
          message: `${id} is registered on ${port.label} and tagged as a control-plane instance of ${cluster}, but no discovered control-plane group holds it; left registered`,
        }),
      );
    }
    const stale = [...reg.instanceIds].filter(
      (id) =>
        scope.leaving.has(id) ||
        (scope.pruneUnknown &&
          INSTANCE_ID.test(id) && // an IP target is not ours to judge: never pruned
          !scope.desired.has(id) &&
          !scope.known.has(id) &&
          !keep.has(id)),
    );
    if (stale.length === 0) continue;
    const { action, error } = await act(ctx, () => port.deregister(stale));
    for (const id of stale) {
      if (action === 'repaired') ctx.result.deregistered.push({ instanceId: id, loadBalancer: port.label });
      const why = scope.leaving.has(id)
        ? 'leaving its group'
        : 'not a live control-plane instance of the cluster';
      ctx.findings.push(
        finding('STALE_REGISTRATION', {
          cluster,
          resource: `${port.label}:${id}`,
          expected: 'not registered',
          actual: `registered (${why})`,
          action,
          message: `${id} was registered on ${port.label} but is ${why}: ${actionText(action, 'Deregistered it', error)}`,
        }),
      );
    }
  }
}

/**
 * Reconciles one scope: read first (attachments from the group description, registrations from
 * the load balancers), compare, and act only on the difference.
 */
export async function reconcile(
  scope: ReconcileScope,
  clients: AwsClients,
  mode: Mode,
  /** Registrations the caller has already read in this run (the verifier has); read here otherwise. */
  prefetched?: Map<string, RegistrationState>,
): Promise<ReconcileResult> {
  const cluster = scope.cluster.name;
  const result: ReconcileResult = { verdict: verdictOf(cluster, []), registered: [], deregistered: [] };
  const ctx: Ctx = { scope, mode, findings: [], result };
  const ports = portsOf(scope.cluster, clients);
  try {
    let state = prefetched ?? (await readRegistrations(clients, ports));
    for (const port of ports) {
      if (state.get(port.label)?.exists) continue;
      ctx.findings.push(
        finding('LOAD_BALANCER_NOT_FOUND', {
          cluster,
          resource: port.label,
          expected: 'exists',
          actual: 'not found',
          message: `the configured load balancer ${port.label} does not exist in this account and region`,
        }),
      );
    }
    const attachedNow = await ensureAttached(ctx, ports, state);
    if (attachedNow.length > 0) {
      // Auto Scaling registers a group's instances when a load balancer is attached; read again
      // so that only what is still missing gets registered.
      const again = await readRegistrations(
        clients,
        ports.filter((p) => attachedNow.includes(p.label)),
      );
      state = new Map([...state, ...again]);
    }
    await ensureRegistered(ctx, clients, ports, state);
    await removeStale(ctx, clients, ports, state);
  } catch (err) {
    ctx.findings.push(awsCallFailed(cluster, mode === 'check' ? 'verifier' : 'registrar', 'reconcile', err));
  }
  result.verdict = verdictOf(cluster, ctx.findings);
  return result;
}
