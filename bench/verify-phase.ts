import { parsePemBundle } from '../functions/core/ca/bundle.ts';
import { discoverControlPlaneGroups } from '../functions/core/discovery/control-plane.ts';
import { silentLog } from '../functions/core/log.ts';
import { type ProbeRunner, type ProbeTarget, probeTls } from '../functions/core/tls/probe.ts';
import { probeOptions, type VerifyDeps, verifyCluster } from '../functions/core/verify/verify.ts';
import { createCa } from '../sandbox/pki.ts';
import type { Lab } from './lab.ts';
import { startStandIn } from './stand-in.ts';
import type { Row } from './table.ts';
import { clockedRuns, LATENCY_MS, phaseRow } from './tls-phase.ts';
import { buildBenchWorld } from './world.ts';

/**
 * The verify-phase measurement: a full verifyCluster (two load balancers and three instances, on
 * moto, through a 50 ms stand-in) against one probe, both clocked by the stand-in
 * (bench/phase-clock.ts). The real row and its self-test run this same measurement; the self-test
 * only swaps the verifier's probe runner (VerifyDeps.probeRunner).
 */

/** The API name + 2 load balancers + 3 instances. */
export const VERIFY_PHASE_PROBES = 6;

export interface VerifyPhase {
  /** One row: `runs` interleaved pairs after `warmup`; the cluster's probes run by `probeRunner` (default probeAll). */
  row(label: string, runs: number, warmup: number, probeRunner?: ProbeRunner): Promise<Row>;
  close(): Promise<void>;
}

/** Builds the world on the lab's moto (reset first) and starts the clocked stand-in. */
export async function startVerifyPhase(lab: Lab): Promise<VerifyPhase> {
  const ca = await createCa('kubernetes-ca');
  await lab.moto.reset();
  const world = await buildBenchWorld(lab.setup, { clusters: 1, groupsPerCluster: 3, caPem: ca.certPem });
  const [cluster] = world.config.clusters;
  if (!cluster) throw new Error('no cluster');
  const standIn = await startStandIn(ca, [cluster.api.hostname], LATENCY_MS, { clock: true });
  const { clock } = standIn;
  if (!clock) {
    await standIn.close();
    throw new Error('the stand-in has no phase clock');
  }
  const groups = (await discoverControlPlaneGroups(lab.clients, [cluster])).groups.get(cluster.name) ?? [];
  const trust = parsePemBundle(ca.certPem, 'bench');
  const target: ProbeTarget = {
    resource: 'one',
    host: cluster.api.hostname,
    port: cluster.api.port,
    servername: cluster.api.hostname,
  };
  return {
    async row(label, runs, warmup, probeRunner) {
      const deps: VerifyDeps = {
        clients: lab.clients,
        log: silentLog,
        connectTo: standIn.connectTo,
        ...(probeRunner ? { probeRunner } : {}),
      };
      const clocked = await clockedRuns(
        clock,
        async () => [await probeTls(target, trust, probeOptions(cluster, deps))],
        async () => (await verifyCluster(cluster, groups, deps)).probes,
        runs,
        warmup,
      );
      const probes = clocked.phase[0]?.probes.length ?? 0;
      return phaseRow(`${label} (${probes} probes) / one`, clocked, VERIFY_PHASE_PROBES, LATENCY_MS);
    },
    close: () => standIn.close(),
  };
}
