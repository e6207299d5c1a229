import { type ProbeResult, type ProbeRunner, probeTls } from '../functions/core/tls/probe.ts';
import { exactly, type Row } from './table.ts';
import { AREA } from './tls-phase.ts';
import type { VerifyPhase } from './verify-phase.ts';

/**
 * The TLS phase row's self-test: the real verify-phase measurement (bench/verify-phase.ts, a full
 * verifyCluster on moto through the clocked stand-in) run twice with fewer runs, once with the
 * verifier's own probe runner (probeAll) and once with a runner that probes one target after
 * another, put in through VerifyDeps.probeRunner. The row must pass the first and fail the second;
 * if it passed both, it would not be measuring the phase.
 */

/** The runner the row must catch: each probe waits for the one before. */
export const sequentialProbes: ProbeRunner = async (targets, trust, opts) => {
  const out: ProbeResult[] = [];
  for (const t of targets) out.push(await probeTls(t, trust, opts));
  return out;
};

export interface SelfTestOptions {
  runs: number;
  warmup: number;
}

/**
 * A few seconds: with six probes, parallel ones read about 1.1, sequential ones several times one
 * probe. Timing-based, so it runs in the bench, not in `npm test`.
 */
export const SELF_TEST: SelfTestOptions = { runs: 5, warmup: 1 };

export interface SelfTestResult {
  parallel: Row;
  sequential: Row;
  /** The row passed the verifier's own runner and failed the sequential one. */
  ok: boolean;
}

export async function tlsPhaseSelfTest(
  phase: VerifyPhase,
  o: SelfTestOptions = SELF_TEST,
): Promise<SelfTestResult> {
  const parallel = await phase.row('self-test: verifyCluster TLS phase, probeAll', o.runs, o.warmup);
  const sequential = await phase.row(
    'self-test: verifyCluster TLS phase, probes one after another',
    o.runs,
    o.warmup,
    sequentialProbes,
  );
  return { parallel, sequential, ok: parallel.verdict === 'pass' && sequential.verdict === 'FAIL' };
}

/** One row for the table: the self-test held (the row catches sequential probes). */
export async function selfTestRow(phase: VerifyPhase): Promise<Row> {
  const r = await tlsPhaseSelfTest(phase);
  return {
    ...exactly(
      AREA,
      'self-test: the phase row fails sequential probes, passes parallel ones',
      r.ok ? 1 : 0,
      1,
    ),
    value: r.ok ? 'yes' : 'no',
    target: 'yes',
    note: `self-test ratios through verifyCluster: sequential ${r.sequential.value} (${r.sequential.verdict}), parallel ${r.parallel.value} (${r.parallel.verdict})`,
  };
}
