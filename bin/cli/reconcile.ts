import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { reconcileClusters } from '../../functions/core/registrar/registrar.ts';
import type { Command } from './common.ts';
import { configFor } from './config.ts';
import { reportVerdicts } from './format.ts';
import { stderrLog } from './log.ts';
import { progressFor, verdictLine } from './progress.ts';
import { outputOf } from './spec.ts';

/** `reconcile`: the registrar's sweep, from a laptop, through the same core. */
export const reconcileCommand: Command = async (values, io) => {
  const output = outputOf(values, 'reconcile');
  const { config, clusters } = configFor(values, 'reconcile');
  const progress = progressFor(io, output);
  const dryRun = values['dry-run'] === true;
  progress(`reconcile${dryRun ? ' (dry run)' : ''}: ${clusters.length} cluster(s)...`);
  let done = 0;
  const outcome = await reconcileClusters(clusters, {
    config,
    clients: createAwsClients({ region: clusters[0]?.region }),
    log: stderrLog(progress.quiet),
    ...(dryRun ? { modeOverride: 'report-only' as const } : {}),
    onVerdict: (v) => progress(verdictLine(v, ++done, clusters.length)),
  });
  return reportVerdicts(outcome.verdicts, io, { output, all: values.all === true });
};
