import { performance } from 'node:perf_hooks';
import { parsePemBundle } from '../functions/core/ca/bundle.ts';
import { discoverControlPlaneGroups } from '../functions/core/discovery/control-plane.ts';
import { silentLog } from '../functions/core/log.ts';
import {
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
  probeAll,
  probeTls,
} from '../functions/core/tls/probe.ts';
import { probeOptions, verifyCluster } from '../functions/core/verify/verify.ts';
import { createCa, issueServerCert } from '../sandbox/pki.ts';
import { Endpoints, startLatencyProxy, startTlsServer } from '../sandbox/tls-servers.ts';
import type { Lab } from './lab.ts';
import { startStandIn } from './stand-in.ts';
import { interleaved, median, round1, round2 } from './stats.ts';
import { atMost, failWith, info, type Row } from './table.ts';
import { AREA, clockedRuns, MAX_RATIO, phaseRow } from './tls-phase.ts';
import { selfTestRow } from './tls-self-test.ts';
import { apiHostname, buildBenchWorld } from './world.ts';

/**
 * The verifier's TLS probes run in parallel: with 50 ms of latency injected on every connection,
 * checking a load balancer and three instances must take about as long as one handshake. Ratios of
 * medians over interleaved runs, after a warm-up; the absolute times are shown for reference only.
 */
export const LATENCY_MS = 50;
export const RUNS = 15;
const WARMUP = 3;
const HOST = apiHostname('tls.bench.example.com');

async function timed(fn: () => Promise<ProbeResult[]>): Promise<{ ms: number; results: ProbeResult[] }> {
  const start = performance.now();
  const results = await fn();
  return { ms: performance.now() - start, results };
}

const notOk = (results: readonly ProbeResult[]) => results.filter((r) => r.code !== 'TLS_OK');

/** probeAll over one load balancer and three instances vs probeTls of one, each behind its own 50 ms proxy. */
export async function handshakeRows(): Promise<Row[]> {
  const ca = await createCa('kubernetes-ca');
  const serving = await issueServerCert(ca, { dns: [HOST] });
  const trust = parsePemBundle(ca.certPem, 'bench');
  const endpoints = new Endpoints();
  try {
    const targets: ProbeTarget[] = [];
    for (const resource of ['lb', 'instance-1', 'instance-2', 'instance-3']) {
      const server = endpoints.add(await startTlsServer({ cert: serving.certPem, key: serving.keyPem }));
      const proxy = endpoints.add(await startLatencyProxy(server, LATENCY_MS));
      targets.push({ resource, host: proxy.host, port: proxy.port, servername: HOST });
    }
    const opts: ProbeOptions = { timeoutMs: 5000, expiryWarningDays: 30 };
    const [lb] = targets;
    if (!lb) throw new Error('no target');
    const runs = await interleaved(
      () => timed(async () => [await probeTls(lb, trust, opts)]),
      () => timed(() => probeAll(targets, trust, opts)),
      RUNS,
      WARMUP,
    );
    const one = median(runs.a.map((r) => r.ms));
    const four = median(runs.b.map((r) => r.ms));
    const failed = [...runs.a, ...runs.b].flatMap((r) => notOk(r.results));
    let ratio: Row = {
      ...atMost(AREA, 'LB + 3 instances / one handshake', round2(four / one), MAX_RATIO),
      extra: { oneMs: round1(one), fourMs: round1(four), runs: RUNS, latencyMs: LATENCY_MS },
    };
    if (failed.length) ratio = failWith(ratio, `${failed.length} probes not TLS_OK: ${failed[0]?.reason}`);
    return [
      info(AREA, `one handshake, ${LATENCY_MS} ms injected (median of ${RUNS})`, `${round1(one)} ms`, one),
      info(AREA, `LB + 3 instances in parallel (median of ${RUNS})`, `${round1(four)} ms`, four),
      ratio,
    ];
  } finally {
    await endpoints.closeAll();
  }
}

/**
 * The same ratio inside a full verifyCluster (two load balancers and three instances, through a
 * 50 ms stand-in). The phase is clocked by the stand-in, from the first probe connection it accepts
 * to the end of verifyCluster (nothing but judging follows the probes), not read from the probes'
 * own timings: so probes made one after another fail the row (see the self-test row after it).
 */
export async function verifyPhaseRows(lab: Lab): Promise<Row[]> {
  const ca = await createCa('kubernetes-ca');
  await lab.moto.reset();
  const world = await buildBenchWorld(lab.setup, { clusters: 1, groupsPerCluster: 3, caPem: ca.certPem });
  const [cluster] = world.config.clusters;
  if (!cluster) throw new Error('no cluster');
  const standIn = await startStandIn(ca, [cluster.api.hostname], LATENCY_MS, { clock: true });
  try {
    const { clock } = standIn;
    if (!clock) throw new Error('the stand-in has no phase clock');
    const groups = (await discoverControlPlaneGroups(lab.clients, [cluster])).groups.get(cluster.name) ?? [];
    const deps = { clients: lab.clients, log: silentLog, connectTo: standIn.connectTo };
    const trust = parsePemBundle(ca.certPem, 'bench');
    const target: ProbeTarget = {
      resource: 'one',
      host: cluster.api.hostname,
      port: cluster.api.port,
      servername: cluster.api.hostname,
    };
    const runs = await clockedRuns(
      clock,
      async () => [await probeTls(target, trust, probeOptions(cluster, deps))],
      async () => (await verifyCluster(cluster, groups, deps)).probes,
      RUNS,
      WARMUP,
    );
    const probes = runs.phase[0]?.probes.length ?? 0;
    // the API name + 2 load balancers + 3 instances
    const row = phaseRow(`verifyCluster TLS phase (${probes} probes) / one`, runs, 6, LATENCY_MS);
    return [row, await selfTestRow()];
  } finally {
    await standIn.close();
  }
}
