import type { ClusterConfig, SentinelConfig } from '../../functions/core/config/schema.ts';
import type { Verdict } from '../../functions/core/findings/finding.ts';
import type { Log } from '../../functions/core/log.ts';
import { type CliIo, concurrencyOf, type Values } from './common.ts';
import { configFor } from './config.ts';
import { fleetSize, whereOf } from './fleet.ts';
import { reportVerdicts } from './format.ts';
import { stderrLog } from './log.ts';
import { progressFor, verdictLine } from './progress.ts';
import { outputOf } from './spec.ts';

/** What a fleet command's run is handed: the config, its clusters and the shared run settings. */
export interface FleetRunInput {
  config: SentinelConfig;
  clusters: ClusterConfig[];
  concurrency: number;
  log: Log;
  onVerdict: (verdict: Verdict) => void;
}

/**
 * `reconcile` and `verify`: options and config read, a start line, one progress line per
 * cluster as it finishes, the table (with the summary when no `--cluster` was given), the exit code.
 */
export async function fleetCommand(
  values: Values,
  io: CliIo,
  command: 'reconcile' | 'verify',
  title: string,
  run: (input: FleetRunInput) => Promise<Verdict[]>,
): Promise<number> {
  const output = outputOf(values, command);
  const concurrency = concurrencyOf(values.concurrency, command);
  const { config, clusters } = configFor(values, command);
  const progress = progressFor(io, output);
  const where = whereOf(clusters);
  progress(
    `${title}: ${clusters.length} cluster(s), ${Math.min(concurrency, clusters.length)} at a time, ${fleetSize(clusters)}...`,
  );
  let done = 0;
  const verdicts = await run({
    config,
    clusters,
    concurrency,
    log: stderrLog(progress.quiet),
    onVerdict: (v) => progress(verdictLine(v, ++done, clusters.length, where)),
  });
  return reportVerdicts(verdicts, io, {
    output,
    all: values.all === true,
    summary: values.cluster === undefined,
    where,
  });
}
