import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { type ConnectTo, parseConnectTo } from '../../functions/core/tls/probe.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { type Command, UsageError } from './common.ts';
import { configFor } from './config.ts';
import { reportVerdicts } from './format.ts';
import { stderrLog } from './log.ts';
import { progressFor, verdictLine } from './progress.ts';
import { outputOf } from './spec.ts';

function connectRules(specs: unknown): ConnectTo[] {
  try {
    return ((specs as string[] | undefined) ?? []).map(parseConnectTo);
  } catch (err) {
    throw new UsageError((err as Error).message, 'verify');
  }
}

function concurrencyOf(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16)
    throw new UsageError(
      `--concurrency: found "${String(value).slice(0, 20)}"; expected a whole number from 1 to 16`,
      'verify',
    );
  return n;
}

/**
 * `verify`: the verifier's checks from a laptop, through the same core; changes nothing. Without
 * `--cluster` every configured cluster is checked, a few at a time, and the table ends with a summary.
 */
export const verifyCommand: Command = async (values, io) => {
  const output = outputOf(values, 'verify');
  const concurrency = concurrencyOf(values.concurrency);
  const connectTo = connectRules(values['connect-to']);
  const { config, clusters } = configFor(values, 'verify');
  const progress = progressFor(io, output);
  progress(`verify: ${clusters.length} cluster(s), ${Math.min(concurrency, clusters.length)} at a time...`);
  let done = 0;
  const outcome = await verifyClusters(clusters, {
    clients: createAwsClients({ region: clusters[0]?.region }),
    log: stderrLog(progress.quiet),
    connectTo,
    newInstanceDeadlineMinutes: config.verifier.newInstanceDeadlineMinutes,
    // a laptop decides by the same field as the deployed verifier, so both give the same verdict
    ipv6: config.verifier.ipv6,
    concurrency,
    onVerdict: (v) => progress(verdictLine(v, ++done, clusters.length)),
  });
  return reportVerdicts(outcome.verdicts, io, {
    output,
    all: values.all === true,
    summary: values.cluster === undefined,
  });
};
