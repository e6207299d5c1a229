import type { LookupFunction } from 'node:net';
import type { AwsClients } from '../aws/clients.ts';
import { errorMessage } from '../aws/errors.ts';
import { loadCaTrust } from '../ca/sources.ts';
import { type CaTrust, trustedFingerprints, trustedSubjects } from '../ca/trust.ts';
import type { ClusterConfig } from '../config/schema.ts';
import {
  type ControlPlaneGroup,
  type Discovery,
  discoverControlPlaneGroups,
  isLive,
} from '../discovery/control-plane.ts';
import { discoveryFailed, discoveryFindings } from '../discovery/findings.ts';
import { instanceIdOf } from '../discovery/instance-id.ts';
import { awsCallFailed, awsCallsOk } from '../findings/aws-calls.ts';
import { type CheckKind, type Finding, isDrift, type Verdict, verdictOf } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { foreseeKops } from '../kops/foresee.ts';
import { adaptersOf } from '../lb/registrations.ts';
import { type Limit, limiter } from '../limit.ts';
import type { Log } from '../log.ts';
import type { InstanceFacts } from '../observe/instances.ts';
import { observe, registeredIds } from '../observe/picture.ts';
import { scopeForCluster } from '../observe/scope.ts';
import { describeSubnets } from '../observe/subnets.ts';
import { plan } from '../plan/plan.ts';
import { unapplied } from '../plan/present.ts';
import { type ConnectTo, type ProbeResult, type ProbeRunner, probeAll } from '../tls/probe.ts';
import { lbFindings } from './lb-findings.ts';
import { resolveTargets } from './resolve-targets.ts';
import { probeTargets } from './targets.ts';
import { ipv6NotProbed, tlsFindings } from './tls-findings.ts';
import { addressPlacer, type PlaceAddress } from './zones.ts';

export interface VerifyDeps {
  clients: AwsClients;
  log: Log;
  /** curl-style --connect-to rules: reach names and addresses through a tunnel or a local stand-in. */
  connectTo?: readonly ConnectTo[];
  /** Name resolution for the probes (every A and AAAA address of a name); default: the system resolver. */
  lookup?: LookupFunction;
  /** `verifier.ipv6`: IPv6 addresses are dialled (default: not; they are reported as TLS_IPV6_NOT_PROBED). */
  ipv6?: boolean;
  now?: () => Date;
  /** Instances younger than this are judged by their follow-up, not by the scheduled run (default 15). */
  newInstanceDeadlineMinutes?: number;
  /**
   * How many clusters are verified at once (default: all of them), possibly shared with other runs
   * (the CLI's fleet); the run's discovery takes one slot too.
   */
  limit?: Limit;
  /** Told each cluster's verdict as soon as it is known (the CLI's progress lines). */
  onVerdict?: (verdict: Verdict) => void;
  /** Runs a cluster's TLS probes (default probeAll, all at once); the bench's self-test swaps it. */
  probeRunner?: ProbeRunner;
}

export interface VerifyOutcome {
  verdicts: Verdict[];
  probes: ProbeResult[];
}

/** How the CA_LOADED finding describes what the nodes trust. */
function caLoaded(cluster: ClusterConfig, trust: CaTrust): Finding {
  const fingerprints = trustedFingerprints(trust);
  const named = trust.groups.filter((g) => g.group !== undefined);
  const groups = named.length
    ? ` in ${named.length} node group(s) (${named.map((g) => `${g.group}: ${g.bundle.certificates.length}`).join(', ')})`
    : '';
  return finding('CA_LOADED', {
    cluster: cluster.name,
    resource: 'ca',
    expected: 'the cluster CA',
    actual: `${fingerprints.length} certificate(s) from ${trust.source}${groups}`,
    message: `trusting ${trustedSubjects(trust).join(', ')} from ${trust.source}${groups}`,
    details: {
      fingerprints,
      ...(named.length
        ? { nodeGroups: Object.fromEntries(named.map((g) => [g.group, [...g.bundle.fingerprints]])) }
        : {}),
    },
  });
}

/**
 * Loads what the nodes trust (one bundle, or one per node group); a failure is a finding, and TLS
 * is then not judged. `bundle` is the trust every probe is judged against.
 */
export async function caFor(
  cluster: ClusterConfig,
  clients: AwsClients,
): Promise<{ bundle?: CaTrust; finding: Finding }> {
  try {
    const bundle = await loadCaTrust(cluster, clients);
    return { bundle, finding: caLoaded(cluster, bundle) };
  } catch (err) {
    return {
      finding: finding('CA_UNAVAILABLE', {
        cluster: cluster.name,
        resource: 'ca',
        expected: 'the cluster CA',
        actual: errorMessage(err),
        message: `cannot judge TLS: the cluster CA could not be loaded (${errorMessage(err)})`,
      }),
    };
  }
}

export function probeOptions(cluster: ClusterConfig, deps: VerifyDeps) {
  return {
    timeoutMs: Math.round(cluster.tls.timeoutSeconds * 1000),
    expiryWarningDays: cluster.tls.expiryWarningDays,
    goVersionRules: cluster.tls.goVersionRules,
    ...(deps.connectTo ? { connectTo: deps.connectTo } : {}),
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
    ...(deps.now ? { now: deps.now() } : {}),
  };
}

/** Where addresses sit, per VPC: one DescribeSubnets per VPC and run, asked only when a name resolved. */
export type Placers = (vpcId: string) => Promise<PlaceAddress>;

export function subnetPlacers(clients: AwsClients): Placers {
  const byVpc = new Map<string, Promise<PlaceAddress>>();
  return (vpcId) => {
    let placer = byVpc.get(vpcId);
    if (!placer) {
      placer = describeSubnets(clients, [vpcId]).then(addressPlacer);
      byVpc.set(vpcId, placer);
    }
    return placer;
  };
}

/**
 * Instances still starting, which their follow-up judges instead of this run. Only an instance that
 * AWS says is a live member of one of the cluster's control-plane groups qualifies, and only within
 * the follow-up deadline of its launch (an instance whose launch time is unknown qualifies only
 * while its group says Pending). Anything else registered on the load balancer (a node, an instance
 * of another group, a terminated one) is judged at once.
 */
export function warmingUp(
  groups: readonly ControlPlaneGroup[],
  instances: ReadonlyMap<string, Pick<InstanceFacts, 'launchTime'>>,
  deadlineMinutes: number,
  now: Date,
): Set<string> {
  const out = new Set<string>();
  for (const g of groups) {
    for (const i of g.instances) {
      if (!isLive(i.lifecycleState)) continue;
      const launched = instances.get(i.instanceId)?.launchTime;
      const young = launched
        ? now.getTime() - launched.getTime() < deadlineMinutes * 60_000
        : i.lifecycleState.startsWith('Pending');
      if (young) out.add(i.instanceId);
    }
  }
  return out;
}

/**
 * A new instance is not judged by the scheduled verification while it starts: its follow-up owns
 * it until its deadline. Its drift becomes one NEW_INSTANCE_WARMING_UP line; an instance with no
 * drift at all is NEW_INSTANCE_VERIFIED (which also resolves a follow-up alert about it).
 */
function judgeInstances(
  cluster: string,
  findings: Finding[],
  registered: string[],
  warming: Set<string>,
): Finding[] {
  const out: Finding[] = [];
  const held = new Map<string, string[]>();
  const failing = new Set<string>();
  for (const f of findings) {
    const id = instanceIdOf(f.resource);
    if (id && isDrift(f)) {
      if (warming.has(id)) {
        held.set(id, [...(held.get(id) ?? []), f.code]);
        continue;
      }
      failing.add(id);
    }
    out.push(f);
  }
  const expected = 'registered, healthy, serving a certificate from the kops CA';
  for (const [id, codes] of held) {
    out.push(
      finding('NEW_INSTANCE_WARMING_UP', {
        cluster,
        resource: id,
        expected,
        actual: `still starting: ${codes.join(', ')}`,
        message: `${id} is still starting (${codes.join(', ')}); its follow-up judges it until its deadline`,
      }),
    );
  }
  for (const id of registered) {
    if (failing.has(id) || held.has(id)) continue;
    out.push(
      finding('NEW_INSTANCE_VERIFIED', {
        cluster,
        resource: id,
        expected,
        actual: 'so it is',
        message: `${id} verified`,
      }),
    );
  }
  return out;
}

/** One cluster: registration as the registrar plans it (left unapplied), load balancers, CA, and TLS. */
export async function verifyCluster(
  cluster: ClusterConfig,
  groups: ControlPlaneGroup[],
  deps: VerifyDeps,
  suspicious: Discovery['suspicious'] = [],
  placers: Placers = subnetPlacers(deps.clients),
): Promise<{ verdict: Verdict; probes: ProbeResult[] }> {
  const c = cluster.name;
  const findings: Finding[] = discoveryFindings(cluster, groups, suspicious);
  try {
    const scope = scopeForCluster(cluster, groups);
    const adapters = adaptersOf(cluster, deps.clients);
    // one read of the cluster: load balancers with health, listeners and health checks, and every
    // instance the plan judges or the probes dial
    const [picture, ca, kops] = await Promise.all([
      observe(deps.clients, scope, adapters, { health: true }),
      caFor(cluster, deps.clients),
      // foresight from the kops specs (only with kops.stateStore)
      foreseeKops(cluster, groups, deps.clients),
    ]);
    // the registration check is the registrar's plan, left unapplied
    const planned = groups.length ? plan(picture) : undefined;
    if (planned) findings.push(...unapplied(c, planned, 'none'));
    // another group's instances on the load balancer are one configuration finding (above), not
    // health and TLS drift of their own: they are not API backends of the cluster
    const shared = planned?.shared ?? new Set<string>();
    const facts = picture.lbs.map((f) => ({
      ...f,
      instances: f.instances.filter((i) => !shared.has(i.instanceId)),
    }));
    findings.push(...lbFindings(cluster, facts), ca.finding, ...kops.findings);
    const registered = registeredIds(facts);
    const instances = new Map(
      registered.flatMap((id) => {
        const f = picture.instances.get(id);
        return f ? [[id, f] as const] : [];
      }),
    );
    const covers: CheckKind[] = [
      'discovery',
      'listener',
      'health-check',
      'instance-health',
      'ca',
      ...(groups.length ? (['attachment', 'registration'] as const) : []),
      ...(kops.complete ? (['kops-spec'] as const) : []),
    ];
    let probes: ProbeResult[] = [];
    if (ca.bundle) {
      const options = probeOptions(cluster, deps);
      const { targets, ipv6Only } = await resolveTargets(probeTargets(cluster, facts, instances), {
        ...options,
        ipv6: deps.ipv6 === true,
        placer: () => placers(cluster.vpcId),
        log: deps.log,
      });
      probes = await (deps.probeRunner ?? probeAll)(targets, ca.bundle, options);
      findings.push(...tlsFindings(cluster, probes), ...ipv6Only.map((s) => ipv6NotProbed(cluster, s)));
      covers.push('tls');
    }
    const now = deps.now?.() ?? new Date();
    const warming = warmingUp(groups, instances, deps.newInstanceDeadlineMinutes ?? 15, now);
    const judged = judgeInstances(c, findings, ca.bundle ? registered : [], warming);
    return { verdict: verdictOf(c, [...judged, awsCallsOk(c, 'verifier')], covers), probes };
  } catch (err) {
    findings.push(awsCallFailed(c, 'verifier', 'verification', err));
    return { verdict: verdictOf(c, findings), probes: [] };
  }
}

/** Verifies clusters, one discovery call for all of them, clusters in parallel. */
export async function verifyClusters(clusters: ClusterConfig[], deps: VerifyDeps): Promise<VerifyOutcome> {
  const limit = deps.limit ?? limiter(clusters.length);
  let discovery: Discovery;
  try {
    discovery = await limit(() => discoverControlPlaneGroups(deps.clients, clusters));
  } catch (err) {
    return { verdicts: discoveryFailed(clusters, err, 'verifier'), probes: [] };
  }
  const placers = subnetPlacers(deps.clients);
  const results = await Promise.all(
    clusters.map((c) =>
      limit(async () => {
        const groups = discovery.groups.get(c.name) ?? [];
        const result = await verifyCluster(c, groups, deps, discovery.suspicious, placers);
        deps.onVerdict?.(result.verdict);
        return result;
      }),
    ),
  );
  return { verdicts: results.map((r) => r.verdict), probes: results.flatMap((r) => r.probes) };
}
