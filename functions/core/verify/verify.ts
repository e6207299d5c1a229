import type { AwsClients } from '../aws/clients.ts';
import type { CaBundle } from '../ca/bundle.ts';
import { loadCaBundle } from '../ca/sources.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { type ControlPlaneGroup, discoverControlPlaneGroups } from '../discovery/control-plane.ts';
import { discoveryFailed, discoveryFindings } from '../discovery/findings.ts';
import { type CheckKind, type Finding, type Verdict, verdictOf } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { errorMessage } from '../lb/errors.ts';
import type { Log } from '../log.ts';
import { describeInstances } from '../reconcile/instances.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import { scopeForCluster } from '../reconcile/scope.ts';
import { type ConnectTo, type ProbeResult, type ProbeTarget, probeAll, tlsFinding } from '../tls/probe.ts';
import { readLbFacts, registrationsOf } from './lb-facts.ts';
import { lbFindings } from './lb-findings.ts';

export interface VerifyDeps {
  clients: AwsClients;
  log: Log;
  /** curl-style --connect-to rules: reach names and addresses through a tunnel or a local stand-in. */
  connectTo?: readonly ConnectTo[];
  now?: () => Date;
}

export interface VerifyOutcome {
  verdicts: Verdict[];
  probes: ProbeResult[];
}

/** Loads the cluster CA; a failure is a finding, and TLS is then not judged. */
export async function caFor(
  cluster: ClusterConfig,
  clients: AwsClients,
): Promise<{ bundle?: CaBundle; finding: Finding }> {
  try {
    const bundle = await loadCaBundle(cluster, clients);
    return {
      bundle,
      finding: finding('CA_LOADED', {
        cluster: cluster.name,
        resource: 'ca',
        expected: 'the cluster CA',
        actual: `${bundle.certificates.length} certificate(s) from ${bundle.source}`,
        message: `trusting ${bundle.subjects.join(', ')} from ${bundle.source}`,
        details: { fingerprints: bundle.fingerprints },
      }),
    };
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
    ...(deps.connectTo ? { connectTo: deps.connectTo } : {}),
    ...(deps.now ? { now: deps.now() } : {}),
  };
}

/** One cluster: registration as the registrar judges it (without acting), load balancers, CA, and TLS. */
export async function verifyCluster(
  cluster: ClusterConfig,
  groups: ControlPlaneGroup[],
  deps: VerifyDeps,
): Promise<{ verdict: Verdict; probes: ProbeResult[] }> {
  const c = cluster.name;
  const findings: Finding[] = discoveryFindings(cluster, groups, []);
  try {
    const [facts, ca] = await Promise.all([readLbFacts(deps.clients, cluster), caFor(cluster, deps.clients)]);
    // the registration check reads what the load-balancer facts already hold: no second read
    const registration = groups.length
      ? await reconcile(
          scopeForCluster(cluster, groups),
          deps.clients,
          'check',
          registrationsOf(cluster, facts),
        )
      : undefined;
    if (registration) findings.push(...registration.verdict.findings);
    findings.push(...lbFindings(cluster, facts), ca.finding);
    const covers: CheckKind[] = [
      'discovery',
      'listener',
      'health-check',
      'instance-health',
      'ca',
      ...(groups.length ? (['attachment', 'registration'] as const) : []),
    ];
    if (!ca.bundle) return { verdict: verdictOf(c, findings, covers), probes: [] };
    const registered = [...new Set(facts.flatMap((f) => f.instances.map((i) => i.instanceId)))];
    const instances = await describeInstances(deps.clients, registered);
    // first the name kubelet dials, resolved from where the verifier runs (the node subnets):
    // it must lead to a pass-through load balancer or the instances, whatever DNS says
    const targets: ProbeTarget[] = cluster.api.probeHostname
      ? [
          {
            resource: `dns/${cluster.api.hostname}`,
            host: cluster.api.hostname,
            port: cluster.api.port,
            servername: cluster.api.hostname,
          },
        ]
      : [];
    for (const lb of facts) {
      for (const fe of lb.frontends) {
        if (!fe.dnsName) continue;
        const resource = lb.frontends.length > 1 ? `${lb.label}:${fe.name}` : lb.label;
        targets.push({
          resource,
          host: fe.dnsName,
          port: cluster.api.port,
          servername: cluster.api.hostname,
        });
      }
    }
    for (const id of registered) {
      const ip = instances.get(id)?.privateIp;
      if (ip)
        targets.push({
          resource: id,
          host: ip,
          port: cluster.api.instancePort,
          servername: cluster.api.hostname,
        });
    }
    const probes = await probeAll(targets, ca.bundle, probeOptions(cluster, deps));
    findings.push(...probes.map((p) => tlsFinding(cluster, p)));
    // a full verification supersedes follow-ups: their alerts give way to the specific ones
    return { verdict: verdictOf(c, findings, [...covers, 'tls', 'follow-up']), probes };
  } catch (err) {
    findings.push(
      finding('AWS_CALL_FAILED', {
        cluster: c,
        resource: 'verify',
        expected: 'AWS calls succeed',
        actual: errorMessage(err),
        message: `verification of ${c} stopped: ${errorMessage(err)}`,
      }),
    );
    return { verdict: verdictOf(c, findings), probes: [] };
  }
}

/** Verifies clusters, one discovery call for all of them, clusters in parallel. */
export async function verifyClusters(clusters: ClusterConfig[], deps: VerifyDeps): Promise<VerifyOutcome> {
  let groups: Map<string, ControlPlaneGroup[]>;
  try {
    groups = (await discoverControlPlaneGroups(deps.clients, clusters)).groups;
  } catch (err) {
    return { verdicts: discoveryFailed(clusters, err), probes: [] };
  }
  const results = await Promise.all(clusters.map((c) => verifyCluster(c, groups.get(c.name) ?? [], deps)));
  return { verdicts: results.map((r) => r.verdict), probes: results.flatMap((r) => r.probes) };
}
