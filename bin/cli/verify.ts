import { parseArgs } from 'node:util';
import { createAwsClients } from '../../functions/core/aws/clients.ts';
import { loadConfigFile, selectClusters } from '../../functions/core/config/load.ts';
import { type ConnectTo, parseConnectTo } from '../../functions/core/tls/probe.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { type Command, commonOptions, requireOption, UsageError } from './common.ts';
import { reportVerdicts } from './format.ts';
import { stderrLog } from './log.ts';

function connectRules(specs: string[] | undefined): ConnectTo[] {
  try {
    return (specs ?? []).map(parseConnectTo);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `verify`: the verifier's checks from a laptop, through the same core; changes nothing. */
export const verifyCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: { ...commonOptions, 'connect-to': { type: 'string', multiple: true } },
  });
  const config = loadConfigFile(requireOption(values.config, '--config <file>'));
  const clusters = selectClusters(config, values.cluster);
  const connectTo = connectRules(values['connect-to']);
  const outcome = await verifyClusters(clusters, {
    clients: createAwsClients({ region: clusters[0]?.region }),
    log: stderrLog(values.json),
    connectTo,
    newInstanceDeadlineMinutes: config.verifier.newInstanceDeadlineMinutes,
  });
  return reportVerdicts(outcome.verdicts, io, values);
};
