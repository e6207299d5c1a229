import { type AwsClients, createAwsClients } from '../core/aws/clients.ts';
import { parseConfig } from '../core/config/load.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { ConnectTo } from '../core/tls/connect-to.ts';

/**
 * The deployed configuration. The stack bundles the validated config into each function at
 * build time (esbuild `define` of process.env.SENTINEL_CONFIG_JSON), so no config travels in
 * Lambda environment variables and nothing is read at module load; tests set the variable.
 */
export function loadDeployedConfig(): SentinelConfig {
  const text = process.env.SENTINEL_CONFIG_JSON;
  if (!text)
    throw new Error('SENTINEL_CONFIG_JSON is not set: the function was bundled without its configuration');
  return parseConfig(JSON.parse(text), 'the bundled configuration');
}

export interface Runtime {
  config: SentinelConfig;
  clients: AwsClients;
  /** Only for local runs (tests, rehearsal): reach instance addresses through local stand-ins. */
  connectTo?: readonly ConnectTo[];
}

let cached: Runtime | undefined;

/** Built on first use and kept for the life of the container. */
export function runtime(): Runtime {
  cached ??= { config: loadDeployedConfig(), clients: createAwsClients() };
  return cached;
}
