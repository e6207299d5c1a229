import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAwsClients } from '../../functions/core/aws/clients.ts';
import { CaSourceError } from '../../functions/core/ca/bundle.ts';
import { importCaBundle } from '../../functions/core/ca/import.ts';
import { loadConfigFile, selectClusters } from '../../functions/core/config/load.ts';
import { type Command, requireOption, UsageError } from './common.ts';
import { describesAwsFault, EXIT, remedyForAwsError } from './format.ts';

/**
 * `ca import`: the cluster CA's public bundle from a kops keyset (a file, or the state store read
 * with the operator's own credentials) into the configured SSM parameter. The keyset also holds
 * the CA private key: only public certificates are taken, and the output says so.
 */
export const caImportCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      cluster: { type: 'string' },
      keyset: { type: 'string' },
      'state-store': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const config = loadConfigFile(requireOption(values.config, '--config <file>'));
  const [cluster] = selectClusters(config, requireOption(values.cluster, '--cluster <name>'));
  if (!cluster) throw new UsageError('--cluster <name> is required');
  if (Boolean(values.keyset) === Boolean(values['state-store'])) {
    throw new UsageError('give exactly one of --keyset <file> or --state-store s3://bucket[/prefix]');
  }
  let keysetText: string | undefined;
  if (values.keyset) {
    try {
      keysetText = readFileSync(values.keyset, 'utf8');
    } catch (err) {
      throw new UsageError(`--keyset: cannot read ${values.keyset}: ${(err as Error).message}`);
    }
  }
  try {
    const summary = await importCaBundle({
      cluster,
      clients: createAwsClients({ region: cluster.region }),
      ...(keysetText !== undefined ? { keysetText, keysetSource: values.keyset } : {}),
      ...(values['state-store'] ? { stateStore: values['state-store'] } : {}),
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      io.stdout.write(
        `${summary.changed ? 'wrote' : 'unchanged'} ${summary.parameterName}: ${summary.count} trusted CA certificate(s) from ${summary.source}\n` +
          summary.subjects.map((s, i) => `  ${s}  sha256 ${summary.fingerprints[i]}\n`).join('') +
          (summary.distrustedIds.length
            ? `  left out (distrusted): ${summary.distrustedIds.join(', ')}\n`
            : '') +
          `  ${summary.kept}\n` +
          (values['state-store']
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
          `error: ${err.message.split('\n')[0]?.slice(0, 300)}\nhint: ${remedyForAwsError(cause)}\n`,
        );
        return EXIT.couldNotEvaluate;
      }
      throw new UsageError(err.message);
    }
    throw err;
  }
};
