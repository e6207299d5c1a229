import type { ProbeResult } from '../functions/core/tls/probe.ts';
import type { PhaseClock } from './phase-clock.ts';
import { interleaved, median, round1, round2 } from './stats.ts';
import { atMost, failWith, type Row } from './table.ts';

/**
 * The TLS phase row: the wall-clock time of a phase of probes ÷ that of one probe, both clocked by
 * the stand-in (bench/phase-clock.ts) from the first connection to the end of the run, medians of
 * interleaved runs. Parallel probes read about 1; probes made one after another read about their count.
 */
export const AREA = 'verifier TLS';
export const MAX_RATIO = 1.5;
/** Latency the stand-ins inject on every connection; runs per row, after a warm-up. */
export const LATENCY_MS = 50;
export const RUNS = 15;
export const WARMUP = 3;

export interface PhaseSample {
  ms: number;
  /** Connections the clock saw: every probe of the run must have passed it. */
  connections: number;
  probes: ProbeResult[];
}

export interface PhaseRuns {
  one: PhaseSample[];
  phase: PhaseSample[];
}

async function sample(clock: PhaseClock, run: () => Promise<ProbeResult[]>): Promise<PhaseSample> {
  const { ms, connections, result } = await clock.time(run);
  return { ms, connections, probes: result };
}

/** `one` (a single probe) and `phase` (the probes under test), interleaved, each clocked by `clock`. */
export async function clockedRuns(
  clock: PhaseClock,
  one: () => Promise<ProbeResult[]>,
  phase: () => Promise<ProbeResult[]>,
  runs: number,
  warmup: number,
): Promise<PhaseRuns> {
  const out = await interleaved(
    () => sample(clock, one),
    () => sample(clock, phase),
    runs,
    warmup,
  );
  return { one: out.a, phase: out.b };
}

/** Judges the runs: the ratio of median phase to median single probe, at most MAX_RATIO. */
export function phaseRow(measure: string, runs: PhaseRuns, expectedProbes: number, latencyMs: number): Row {
  const one = median(runs.one.map((s) => s.ms));
  const phase = median(runs.phase.map((s) => s.ms));
  const probes = runs.phase[0]?.probes.length ?? 0;
  // what the row read before issue 10, for comparison only: the slowest probe's own duration
  const slowest = median(runs.phase.map((s) => Math.max(...s.probes.map((p) => p.durationMs))));
  let row: Row = {
    ...atMost(AREA, measure, round2(phase / one), MAX_RATIO),
    extra: {
      oneMs: round1(one),
      phaseMs: round1(phase),
      slowestProbeMs: round1(slowest),
      probes,
      runs: runs.phase.length,
      latencyMs,
    },
    note: 'wall clock from the first probe connection the stand-in accepts to the end of the run; a sequential phase reads about the number of probes',
  };
  if (probes !== expectedProbes) row = failWith(row, `${probes} probes, expected ${expectedProbes}`);
  const unclocked = runs.phase.filter((s) => s.connections !== s.probes.length).length;
  if (unclocked) row = failWith(row, `${unclocked} runs where not every probe passed the clock`);
  const failed = [...runs.one, ...runs.phase].flatMap((s) => s.probes).filter((p) => p.code !== 'TLS_OK');
  if (failed.length) row = failWith(row, `${failed.length} probes not TLS_OK: ${failed[0]?.reason}`);
  return row;
}
