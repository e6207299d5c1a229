import { parseArgs } from 'node:util';
import { createAwsClients } from '../../functions/core/aws/clients.ts';
import { loadConfigFile, selectClusters } from '../../functions/core/config/load.ts';
import { reconcileClusters } from '../../functions/core/registrar/registrar.ts';
import { type Command, commonOptions, requireOption } from './common.ts';
import { reportVerdicts } from './format.ts';
import { stderrLog } from './log.ts';

/** `reconcile`: the registrar's sweep, from a laptop, through the same core. */
export const reconcileCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: { ...commonOptions, 'dry-run': { type: 'boolean', default: false } },
  });
  const config = loadConfigFile(requireOption(values.config, '--config <file>'));
  const clusters = selectClusters(config, values.cluster);
  const outcome = await reconcileClusters(clusters, {
    config,
    clients: createAwsClients({ region: clusters[0]?.region }),
    log: stderrLog(values.json),
    ...(values['dry-run'] ? { modeOverride: 'report-only' as const } : {}),
  });
  return reportVerdicts(outcome.verdicts, io, values);
};
