import type { AwsClients } from '../aws/clients.ts';
import { isControlPlaneInstance } from '../discovery/control-plane.ts';
import { awsCallFailed } from '../findings/aws-calls.ts';
import { type Finding, type Verdict, verdictOf } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { errorMessage } from '../lb/errors.ts';
import { type LoadBalancerPort, type RegistrationState, registeredOnPort, wrongPorts } from '../lb/port.ts';
import { portsOf, readRegistrations } from '../lb/registrations.ts';
import { type OtherGroup, otherGroupsHolding } from './holders.ts';
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
  /**
   * Instances another group keeps on a configured load balancer (LB_SHARED_WITH_OTHER_GROUP): not
   * API backends of the cluster, so the verifier judges neither their health nor their TLS.
   */
  shared: Set<string>;
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

/** A desired instance registered on another port than the apiserver's: one finding, both halves repaired. */
interface WrongPort {
  port: LoadBalancerPort;
  id: string;
  wrong: number[];
  /** Whether the right-port registration exists (or this run made it). */
  right: 'present' | 'missing';
}

async function ensureRegistered(
  ctx: Ctx,
  clients: AwsClients,
  ports: LoadBalancerPort[],
  state: Map<string, RegistrationState>,
) {
  const { scope } = ctx;
  const cluster = scope.cluster.name;
  const instancePort = scope.cluster.api.instancePort;
  const missing = new Map<string, string[]>();
  const wrongPort: WrongPort[] = [];
  for (const port of ports) {
    const reg = state.get(port.label);
    if (!reg?.exists) continue;
    for (const id of scope.desired.keys()) {
      const wrong = wrongPorts(reg, id, instancePort);
      const right = registeredOnPort(reg, id, instancePort);
      if (wrong.length > 0) wrongPort.push({ port, id, wrong, right: right ? 'present' : 'missing' });
      if (!right) {
        missing.set(port.label, [...(missing.get(port.label) ?? []), id]);
      } else if (wrong.length === 0) {
        ctx.findings.push(
          finding('INSTANCE_REGISTERED', {
            cluster,
            resource: `${port.label}:${id}`,
            expected: 'registered',
            actual: 'registered',
            message: `${id} is registered on ${port.label}`,
          }),
        );
      }
    }
  }
  const registeredNow = new Set<string>();
  if (missing.size > 0) {
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
      const onWrongPort = new Set(wrongPort.filter((w) => w.port === port).map((w) => w.id));
      for (const id of ok) {
        if (action === 'repaired') {
          ctx.result.registered.push({ instanceId: id, loadBalancer: port.label });
          registeredNow.add(`${port.label}:${id}`);
        }
        // an instance on the wrong port gets one TARGET_WRONG_PORT finding below instead
        if (onWrongPort.has(id)) continue;
        ctx.findings.push(
          finding('INSTANCE_NOT_REGISTERED', {
            cluster,
            resource: `${port.label}:${id}`,
            expected: 'registered',
            actual: 'not registered',
            action,
            message: `${id} (${scope.desired.get(id)}) was not registered on ${port.label}: ${actionText(action, 'Registered it', error)}`,
            // the group lets alerts fold this under its load balancer's detachment (alerts/causes.ts)
            details: { group: scope.desired.get(id) ?? null },
          }),
        );
      }
    }
  }
  for (const w of wrongPort) await fixWrongPort(ctx, w, registeredNow.has(`${w.port.label}:${w.id}`));
}

/**
 * A target registered on another port than `api.instancePort` reaches no apiserver: drift. The
 * right-port registration is made first (above); the wrong-port one is removed only once the
 * right one exists, so the instance is never left without a registration.
 */
async function fixWrongPort(ctx: Ctx, w: WrongPort, registeredNow: boolean) {
  const cluster = ctx.scope.cluster.name;
  const instancePort = ctx.scope.cluster.api.instancePort;
  const resource = `${w.port.label}:${w.id}`;
  const ports = w.wrong.join(', ');
  const rightThere = w.right === 'present' || registeredNow;
  const expected = `registered on port ${instancePort} (api.instancePort)`;
  const actual = `registered on port(s) ${ports}${w.right === 'present' ? ` as well as ${instancePort}` : ` only`}`;
  const remove = w.port.deregisterPorts?.bind(w.port);
  const portsNow = w.port.portsNow?.bind(w.port);
  let outcome: { action: Finding['action']; error?: string };
  if (rightThere && remove)
    outcome = await act(ctx, async () => {
      // read again after registering: only a wrong-port registration still there is removed
      const still =
        registeredNow && portsNow ? (await portsNow(w.id)).filter((p) => w.wrong.includes(p)) : w.wrong;
      await remove(w.id, still);
    });
  // report-only/check, or the registration on the right port failed or was skipped
  else
    outcome = {
      action: ctx.mode === 'repair' ? 'repair-failed' : ctx.mode === 'check' ? 'none' : 'would-repair',
      error: 'no registration on the right port could be made',
    };
  const { action, error } = outcome;
  ctx.findings.push(
    finding('TARGET_WRONG_PORT', {
      cluster,
      resource,
      expected,
      actual,
      action,
      message: `${w.id} was ${actual} on ${w.port.label}: ${actionText(action, `Registered it on port ${instancePort} and removed port(s) ${ports}`, error)}`,
    }),
  );
}

/**
 * Registered instances the sweep found in no group in scope: a stopped or foreign instance is
 * stale, but a running instance tagged as an API backend of this cluster is left registered and
 * reported (its group may have lost its tags or name; deregistering it could take away the load
 * balancer's last backend).
 */
async function protectedUnknowns(
  clients: AwsClients,
  scope: ReconcileScope,
  unknown: string[],
): Promise<Set<string>> {
  if (unknown.length === 0) return new Set();
  const facts = await describeInstances(clients, unknown);
  return new Set(
    unknown.filter((id) => {
      const f = facts.get(id);
      return f?.state === 'running' && isControlPlaneInstance(f.tags, scope.cluster.name);
    }),
  );
}

/** Registered ids in no group of the scope (instance targets only: an IP target is not ours to judge). */
function unknownIds(scope: ReconcileScope, state: Map<string, RegistrationState>): string[] {
  const all = new Set([...state.values()].flatMap((r) => (r.exists ? [...r.instanceIds] : [])));
  return [...all].filter(
    (id) => INSTANCE_ID.test(id) && !scope.desired.has(id) && !scope.known.has(id) && !scope.leaving.has(id),
  );
}

/**
 * Another group's instances that Auto Scaling keeps on a configured load balancer through that
 * group's attachment (a node group sharing the load balancer): never pruned (Auto Scaling would
 * put them back at the next launch), reported once per load balancer and group.
 */
function reportShared(
  ctx: Ctx,
  port: LoadBalancerPort,
  shared: Map<string, OtherGroup>,
  reg: RegistrationState,
) {
  const byGroup = new Map<string, string[]>();
  for (const id of reg.instanceIds) {
    const g = shared.get(id);
    if (g && port.isAttached(g)) byGroup.set(g.name, [...(byGroup.get(g.name) ?? []), id]);
  }
  const cluster = ctx.scope.cluster.name;
  for (const [group, ids] of byGroup) {
    ctx.findings.push(
      finding('LB_SHARED_WITH_OTHER_GROUP', {
        cluster,
        resource: `${port.label}:${group}`,
        expected: `attached only to API-backend groups of ${cluster}`,
        actual: `also attached to ${group}, which keeps ${ids.length} instance(s) registered`,
        action: 'skipped',
        message: `${port.label} is also attached to ${group} (not a control-plane or API-server group of ${cluster}); its ${ids.length} instance(s) (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}) are left registered`,
        details: { group, instanceIds: ids.slice(0, 50) },
      }),
    );
  }
  return new Set([...byGroup.values()].flat());
}

async function removeStale(
  ctx: Ctx,
  clients: AwsClients,
  ports: LoadBalancerPort[],
  state: Map<string, RegistrationState>,
) {
  const { scope } = ctx;
  const cluster = scope.cluster.name;
  const unknown = scope.pruneUnknown ? unknownIds(scope, state) : [];
  const isUnknown = new Set(unknown);
  // a running API backend of the cluster by its own tags is kept and reported first (its group may
  // have lost its tags); of the rest, only those another attached group keeps are left alone
  const keep = await protectedUnknowns(clients, scope, unknown);
  const shared = await otherGroupsHolding(
    clients,
    unknown.filter((id) => !keep.has(id)),
  );
  for (const port of ports) {
    const reg = state.get(port.label);
    if (!reg?.exists) continue;
    const sharedHere = reportShared(ctx, port, shared, reg);
    for (const id of sharedHere) ctx.result.shared.add(id);
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
      if (!reg.instanceIds.has(id) || sharedHere.has(id)) continue;
      ctx.findings.push(
        finding('INSTANCE_NOT_IN_GROUP', {
          cluster,
          resource: `${port.label}:${id}`,
          expected: `a member of a group named *.masters.${cluster} or *.apiservers.${cluster} and tagged for the cluster`,
          actual: 'a running API backend of the cluster in no such group',
          action: 'skipped',
          message: `${id} is registered on ${port.label} and tagged as a control-plane or API-server instance of ${cluster}, but no discovered group holds it; left registered`,
        }),
      );
    }
    const stale = [...reg.instanceIds].filter(
      (id) => scope.leaving.has(id) || (isUnknown.has(id) && !keep.has(id) && !sharedHere.has(id)),
    );
    if (stale.length === 0) continue;
    const { action, error } = await act(ctx, () => port.deregister(stale));
    for (const id of stale) {
      if (action === 'repaired') ctx.result.deregistered.push({ instanceId: id, loadBalancer: port.label });
      const why = scope.leaving.has(id)
        ? 'leaving its group'
        : 'not a live control-plane or API-server instance of the cluster';
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
  const result: ReconcileResult = {
    verdict: verdictOf(cluster, []),
    registered: [],
    deregistered: [],
    shared: new Set(),
  };
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
