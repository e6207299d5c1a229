import { readFileSync } from 'node:fs';
import { groupByAccess } from '../../functions/core/aws/access-groups.ts';
import { openAccess } from '../../functions/core/aws/cli-access.ts';
import { CaSourceError } from '../../functions/core/ca/bundle.ts';
import { importCaBundle } from '../../functions/core/ca/import.ts';
import { CliError, type Command, UsageError } from './common.ts';
import { configFor } from './config.ts';
import { accessOptions } from './fleet.ts';
import { awsFaultKind, describesAwsFault, EXIT, remedyFor, remedyForAwsError } from './format.ts';
import { outputOf } from './spec.ts';

/**
 * `ca import`: the cluster CA's public bundle from a kops keyset (a file, or the state store read
 * with the operator's own credentials: the cluster's cliRoleArn or profile, else the default
 * chain, checked to be of the cluster's account) into the configured SSM parameter. The keyset also holds
 * the CA private key: only public certificates are taken, and the output says so.
 */
export const caImportCommand: Command = async (values, io) => {
  const output = outputOf(values, 'ca import');
  const { clusters } = configFor(values, 'ca import', { clusterRequired: true });
  const [cluster] = clusters;
  if (!cluster) throw new UsageError('--cluster <name> is required', 'ca import');
  const keyset = typeof values.keyset === 'string' ? values.keyset : undefined;
  const stateStore = typeof values['state-store'] === 'string' ? values['state-store'] : undefined;
  if (Boolean(keyset) === Boolean(stateStore)) {
    throw new UsageError(
      'give exactly one of --keyset <file> or --state-store s3://bucket[/prefix]',
      'ca import',
    );
  }
  let keysetText: string | undefined;
  if (keyset) {
    try {
      keysetText = readFileSync(keyset, 'utf8');
    } catch (err) {
      throw new CliError('file not found', `--keyset: cannot read ${keyset}: ${(err as Error).message}`);
    }
  }
  // the cluster's own account, with its cliRoleArn or profile, checked before the write
  const [group] = groupByAccess([cluster]);
  const opened = group && (await openAccess(group, accessOptions('registrar')));
  if (!opened?.ok) {
    const problem = opened?.verdicts[0]?.findings[0];
    if (!problem) throw new Error(`no access to the account of ${cluster.name}`);
    const kind = problem.code === 'CLI_ACCOUNT_MISMATCH' ? 'AWS credentials' : awsFaultKind(problem.actual);
    io.stderr.write(`error (${kind}): ${problem.message.slice(0, 300)}\nhint: ${remedyFor(problem)}\n`);
    return EXIT.couldNotEvaluate;
  }
  try {
    const summary = await importCaBundle({
      cluster,
      clients: opened.clients,
      ...(keysetText !== undefined ? { keysetText, keysetSource: keyset } : {}),
      ...(stateStore ? { stateStore: stateStore } : {}),
    });
    if (output === 'json') {
      io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else if (output === 'yaml') {
      const { stringify } = await import('yaml');
      io.stdout.write(stringify(summary));
    } else {
      io.stdout.write(
        `${summary.changed ? 'wrote' : 'unchanged'} ${summary.parameterName}: ${summary.count} trusted CA certificate(s) from ${summary.source}\n` +
          summary.subjects.map((s, i) => `  ${s}  sha256 ${summary.fingerprints[i]}\n`).join('') +
          (summary.distrustedIds.length
            ? `  left out (distrusted): ${summary.distrustedIds.join(', ')}\n`
            : '') +
          `  ${summary.kept}\n` +
          (stateStore
            ? '  (read with your own AWS credentials; the deployed functions cannot read pki/)\n'
            : ''),
      );
    }
    return EXIT.inSync;
  } catch (err) {
    if (err instanceof CaSourceError) {
      // an AWS call that failed (`… failed: Name: message`) could not be made: 3, not bad input
      const cause = /failed: (.*)$/s.exec(err.message)?.[1];
      if (cause && describesAwsFault(cause)) {
        io.stderr.write(
          `error (${awsFaultKind(cause)}): ${err.message.split('\n')[0]?.slice(0, 300)}\nhint: ${remedyForAwsError(cause)}\n`,
        );
        return EXIT.couldNotEvaluate;
      }
      throw new UsageError(err.message, 'ca import');
    }
    throw err;
  }
};
