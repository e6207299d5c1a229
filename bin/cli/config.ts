import { existsSync, statSync } from 'node:fs';
import { ConfigError, loadConfigFile } from '../../functions/core/config/load.ts';
import type { ClusterConfig, SentinelConfig } from '../../functions/core/config/schema.ts';
import { selectClusters, UnknownClusterError } from '../../functions/core/config/select.ts';
import { CliError, requireOption, type Values } from './common.ts';

/**
 * The configuration a command runs on, with each problem named by its kind: the file is not there,
 * it is not a valid configuration, or `--cluster` names a cluster it does not configure.
 */
export function configFor(
  values: Values,
  command: string,
  opts: { clusterRequired?: boolean } = {},
): { config: SentinelConfig; clusters: ClusterConfig[] } {
  const path = requireOption(values.config, '--config <file>', command);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new CliError(
      'file not found',
      `--config: no file at "${path.slice(0, 200)}"`,
      'check the path (relative paths start from the current directory)',
    );
  }
  let config: SentinelConfig;
  try {
    config = loadConfigFile(path);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError('invalid config', err.message, 'fix the fields named above and run again');
    throw err;
  }
  const name = opts.clusterRequired
    ? requireOption(values.cluster, '--cluster <name>', command)
    : values.cluster;
  try {
    return { config, clusters: selectClusters(config, typeof name === 'string' ? name : undefined) };
  } catch (err) {
    if (err instanceof UnknownClusterError)
      throw new CliError(
        'unknown cluster',
        err.message,
        `the cluster names come from clusters[].name in ${path.slice(0, 200)}`,
      );
    throw err;
  }
}
