import type { CaBundle } from '../functions/core/ca/bundle.ts';
import { parsePemBundle } from '../functions/core/ca/bundle.ts';
import type { CaTrust } from '../functions/core/ca/trust.ts';
import {
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
  probeAll,
  probeTls,
} from '../functions/core/tls/probe.ts';
import { createCa } from '../sandbox/pki.ts';
import { startStandIn } from './stand-in.ts';
import { exactly, type Row } from './table.ts';
import { AREA, clockedRuns, phaseRow } from './tls-phase.ts';

/**
 * The TLS phase row's self-test: a small version of the row (N probes through a stand-in that
 * answers after a fixed delay) run twice, once with probeAll and once with a runner that probes
 * one target after another. The row must pass the first and fail the second; if it passed both,
 * it would not be measuring the phase.
 */
export type ProbeRunner = (
  targets: readonly ProbeTarget[],
  trust: CaTrust | CaBundle,
  opts: ProbeOptions,
) => Promise<ProbeResult[]>;

/** The runner the row must catch: each probe waits for the one before. */
export const sequentialProbes: ProbeRunner = async (targets, trust, opts) => {
  const out: ProbeResult[] = [];
  for (const t of targets) out.push(await probeTls(t, trust, opts));
  return out;
};

export interface SelfTestOptions {
  probes: number;
  latencyMs: number;
  runs: number;
  warmup: number;
}

/**
 * About five seconds, with wide margins either side of the target on a busy machine: parallel
 * probes read 1.1–1.3, sequential ones about 3. Timing-based, so it runs in the bench, not in `npm test`.
 */
export const SELF_TEST: SelfTestOptions = { probes: 3, latencyMs: 200, runs: 3, warmup: 1 };

export interface SelfTestResult {
  parallel: Row;
  sequential: Row;
  /** The row passed the parallel runner and failed the sequential one. */
  ok: boolean;
}

const HOST = 'api.internal.phase.bench.example.com';

export async function tlsPhaseSelfTest(o: SelfTestOptions = SELF_TEST): Promise<SelfTestResult> {
  const ca = await createCa('kubernetes-ca');
  const standIn = await startStandIn(ca, [HOST], o.latencyMs, { clock: true });
  try {
    const { clock } = standIn;
    if (!clock) throw new Error('the stand-in has no phase clock');
    const trust = parsePemBundle(ca.certPem, 'self-test');
    const opts: ProbeOptions = { timeoutMs: 5000, expiryWarningDays: 30, connectTo: standIn.connectTo };
    const targets: ProbeTarget[] = Array.from({ length: o.probes }, (_, i) => ({
      resource: `probe-${i + 1}`,
      host: HOST,
      port: 443,
      servername: HOST,
    }));
    const [first] = targets;
    if (!first) throw new Error('no probe target');
    const one = async () => [await probeTls(first, trust, opts)];
    const row = async (runner: ProbeRunner, how: string) => {
      const runs = await clockedRuns(clock, one, () => runner(targets, trust, opts), o.runs, o.warmup);
      return phaseRow(`self-test: ${o.probes} probes ${how} / one`, runs, o.probes, o.latencyMs);
    };
    const parallel = await row(probeAll, 'in parallel');
    const sequential = await row(sequentialProbes, 'one after another');
    return { parallel, sequential, ok: parallel.verdict === 'pass' && sequential.verdict === 'FAIL' };
  } finally {
    await standIn.close();
  }
}

/** One row for the table: the self-test held (the row catches sequential probes). */
export async function selfTestRow(): Promise<Row> {
  const r = await tlsPhaseSelfTest();
  return {
    ...exactly(
      AREA,
      'self-test: the phase row fails sequential probes, passes parallel ones',
      r.ok ? 1 : 0,
      1,
    ),
    value: r.ok ? 'yes' : 'no',
    target: 'yes',
    note: `self-test ratios: sequential ${r.sequential.value} (${r.sequential.verdict}), parallel ${r.parallel.value} (${r.parallel.verdict})`,
  };
}
