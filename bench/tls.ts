import { performance } from 'node:perf_hooks';
import { parsePemBundle } from '../functions/core/ca/bundle.ts';
import {
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
  probeAll,
  probeTls,
} from '../functions/core/tls/probe.ts';
import { createCa, issueServerCert } from '../sandbox/pki.ts';
import { Endpoints, startLatencyProxy, startTlsServer } from '../sandbox/tls-servers.ts';
import type { Lab } from './lab.ts';
import { interleaved, median, round1, round2 } from './stats.ts';
import { atMost, failWith, info, type Row } from './table.ts';
import { AREA, LATENCY_MS, MAX_RATIO, RUNS, WARMUP } from './tls-phase.ts';
import { selfTestRow } from './tls-self-test.ts';
import { startVerifyPhase } from './verify-phase.ts';
import { apiHostname } from './world.ts';

/**
 * The verifier's TLS probes run in parallel: with 50 ms of latency injected on every connection,
 * checking a load balancer and three instances must take about as long as one handshake. Ratios of
 * medians over interleaved runs, after a warm-up; the absolute times are shown for reference only.
 */
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
 * The same ratio inside a full verifyCluster (bench/verify-phase.ts): the phase is clocked by the
 * stand-in, from the first probe connection it accepts to the end of verifyCluster (nothing but
 * judging follows the probes), not read from the probes' own timings, so probes made one after
 * another fail the row. The self-test row after it runs this same measurement with sequential probes.
 */
export async function verifyPhaseRows(lab: Lab): Promise<Row[]> {
  const phase = await startVerifyPhase(lab);
  try {
    return [await phase.row('verifyCluster TLS phase', RUNS, WARMUP), await selfTestRow(phase)];
  } finally {
    await phase.close();
  }
}
