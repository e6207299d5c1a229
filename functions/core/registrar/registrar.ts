import { type Mode, reconcile } from '../apply/reconcile.ts';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig, SentinelConfig } from '../config/schema.ts';
import { clustersForEvent } from '../config/select.ts';
import {
  classifyGroup,
  describeGroup,
  discoverControlPlaneGroups,
  toControlPlaneGroup,
} from '../discovery/control-plane.ts';
import { discoveryFailed, discoveryFindings } from '../discovery/findings.ts';
import type { RegistrarEvent } from '../events/registrar-event.ts';
import { awsCallFailed, awsCallsOk } from '../findings/aws-calls.ts';
import { type Verdict, verdictOf } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { labelOf, refsOf } from '../lb/port.ts';
import { type Limit, limiter } from '../limit.ts';
import type { Log } from '../log.ts';
import { confirmLeaving } from '../observe/holders.ts';
import { type GroupEvent, scopeForCluster, scopeForGroup } from '../observe/scope.ts';
import { completeOwnHook, completeWaitingHooks, type HookReadiness, hookReadiness } from './lifecycle.ts';

export interface RegistrarDeps {
  config: SentinelConfig;
  clients: AwsClients;
  log: Log;
  /** Overrides every cluster's mode (the CLI's --dry-run). */
  modeOverride?: Mode;
  /** Told each cluster's sweep verdict as soon as it is known (the CLI's progress lines). */
  onVerdict?: (verdict: Verdict) => void;
  /** How many clusters are swept at once (the CLI's --concurrency; default: all of them). */
  limit?: Limit;
}

export interface RegistrarOutcome {
  verdicts: Verdict[];
  /** Instances this run registered. */
  registered: { cluster: string; instanceId: string; loadBalancer: string }[];
  /**
   * New control-plane instances to follow up until they verify: the ones this run registered and
   * the live instance of a launch event (Auto Scaling itself may have registered it).
   */
  newInstances: { cluster: string; instanceId: string }[];
  /** Set when the event was not about a control-plane group of a configured cluster. */
  ignored?: string;
}

const modeOf = (cluster: ClusterConfig, deps: RegistrarDeps): Mode => deps.modeOverride ?? cluster.mode;

/** What a sweep evaluates for every resource of a cluster (see Verdict.complete). */
const SWEEP_COVERS = ['discovery', 'attachment', 'registration'] as const;

/** The sweep: every control-plane group of the given clusters, one discovery call for all of them. */
export async function reconcileClusters(
  clusters: ClusterConfig[],
  deps: RegistrarDeps,
): Promise<RegistrarOutcome> {
  const outcome: RegistrarOutcome = { verdicts: [], registered: [], newInstances: [] };
  // the discovery takes a slot of the limit too: a fleet's groups discover one at a time at --concurrency 1
  const limit = deps.limit ?? limiter(clusters.length);
  let discovery: Awaited<ReturnType<typeof discoverControlPlaneGroups>>;
  try {
    discovery = await limit(() => discoverControlPlaneGroups(deps.clients, clusters));
  } catch (err) {
    outcome.verdicts.push(...discoveryFailed(clusters, err, 'registrar'));
    return outcome;
  }
  const results = await Promise.all(
    clusters.map((cluster) =>
      limit(async () => {
        const groups = discovery.groups.get(cluster.name) ?? [];
        const head = discoveryFindings(cluster, groups, discovery.suspicious);
        if (groups.length === 0) {
          const verdict = verdictOf(cluster.name, head, ['discovery']);
          deps.onVerdict?.(verdict);
          return { verdict, registered: [] };
        }
        const r = await reconcile(scopeForCluster(cluster, groups), deps.clients, modeOf(cluster, deps));
        // the sweep lets waiting launches into service (never in a dry run: that changes nothing)
        const hooks = deps.modeOverride
          ? []
          : await completeWaitingHooks(deps.clients, {
              cluster: cluster.name,
              groups,
              findings: r.verdict.findings,
              prefix: deps.config.lifecycleHookPrefix,
              loadBalancerLabels: refsOf(cluster).map(labelOf),
            }).catch((err: unknown) => [awsCallFailed(cluster.name, 'registrar', 'lifecycle hooks', err)]);
        const findings = [...r.verdict.findings, ...hooks];
        const verdict = verdictOf(
          cluster.name,
          [
            ...head,
            ...findings,
            ...(findings.some((f) => f.code === 'AWS_CALL_FAILED')
              ? []
              : [awsCallsOk(cluster.name, 'registrar')]),
          ],
          SWEEP_COVERS,
        );
        deps.onVerdict?.(verdict);
        return {
          verdict,
          registered: r.registered.map((x) => ({ cluster: cluster.name, ...x })),
        };
      }),
    ),
  );
  for (const r of results) {
    outcome.verdicts.push(r.verdict);
    outcome.registered.push(...r.registered);
    outcome.newInstances.push(...r.registered.map(({ cluster, instanceId }) => ({ cluster, instanceId })));
  }
  return outcome;
}

/** Handles one parsed registrar event. */
export async function handleRegistrarEvent(
  event: RegistrarEvent,
  deps: RegistrarDeps,
): Promise<RegistrarOutcome> {
  const { config, clients, log } = deps;
  if (event.kind === 'reconcile') {
    const picked = clustersForEvent(config, event.cluster);
    if ('unknown' in picked)
      return { verdicts: [], registered: [], newInstances: [], ignored: picked.unknown };
    return reconcileClusters(picked.clusters, deps);
  }
  const described = await describeGroup(clients, event.group);
  if (!described)
    return {
      verdicts: [],
      registered: [],
      newInstances: [],
      ignored: `group ${event.group} does not exist (any more)`,
    };
  const cls = classifyGroup(described, config.clusters);
  if (cls.kind === 'ignored')
    return { verdicts: [], registered: [], newInstances: [], ignored: `${event.group}: ${cls.reason}` };
  const cluster = cls.cluster;
  if (cls.kind === 'suspicious') {
    const f = finding('GROUP_TAGS_MISMATCH', {
      cluster: cluster.name,
      resource: event.group,
      expected: 'cluster and control-plane role tags',
      actual: cls.reason,
      action: 'skipped',
      message: `${event.group} ${cls.reason}; it is left alone`,
    });
    return { verdicts: [verdictOf(cluster.name, [f])], registered: [], newInstances: [] };
  }
  const group = toControlPlaneGroup(described, cluster.name, cls.role);
  if (event.kind === 'launch-failed') {
    const f = finding('LAUNCH_FAILED', {
      cluster: cluster.name,
      resource: event.group,
      expected: 'instance launched',
      actual: event.reason,
      message: `a control-plane instance of ${event.group} failed to launch: ${event.reason}`,
    });
    return { verdicts: [verdictOf(cluster.name, [f])], registered: [], newInstances: [] };
  }
  // An event says where to look; AWS says what is true. A terminate is acted on (the instance
  // deregistered) only when Auto Scaling or EC2 confirms that the instance is leaving.
  let groupEvent: GroupEvent;
  if (event.kind === 'launch') groupEvent = { kind: 'launch', instanceId: event.instanceId };
  if (event.kind === 'terminate') {
    const leaving = await confirmLeaving(clients, group, event.instanceId);
    if (leaving.confirmed) groupEvent = { kind: 'terminate', instanceId: event.instanceId };
    else
      log.warn('terminate event not confirmed by AWS; the instance is left registered', {
        group: event.group,
        instanceId: event.instanceId,
        why: leaving.why,
      });
  }
  const scope = scopeForGroup(cluster, group, groupEvent);
  const r = await reconcile(scope, clients, modeOf(cluster, deps));
  const findings = [...r.verdict.findings];
  if (event.kind !== 'group-changed' && event.hook) {
    // a launching instance is let into service only once it is registered everywhere
    const readiness: HookReadiness =
      event.kind === 'launch'
        ? hookReadiness(findings, event.instanceId, refsOf(cluster).map(labelOf))
        : { ready: true };
    const f = await completeOwnHook(clients, {
      cluster: cluster.name,
      group: event.group,
      instanceId: event.instanceId,
      hook: event.hook,
      prefix: config.lifecycleHookPrefix,
      readiness,
    });
    if (f) findings.push(f);
    else
      log.info('lifecycle hook not ours; left to its owner', { hook: event.hook.name, group: event.group });
  }
  const registered = r.registered.map((x) => ({ cluster: cluster.name, ...x }));
  const launched = event.kind === 'launch' && scope.desired.has(event.instanceId) ? [event.instanceId] : [];
  const newIds = [...new Set([...registered.map((x) => x.instanceId), ...launched])];
  return {
    verdicts: [verdictOf(cluster.name, findings)],
    registered,
    newInstances: newIds.map((instanceId) => ({ cluster: cluster.name, instanceId })),
  };
}
