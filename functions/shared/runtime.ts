import { type ClientSet, restrictClients } from '../core/aws/client-set.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import { parseConfig } from '../core/config/parse.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { ConnectTo } from '../core/tls/connect-to.ts';
import { deployedClients } from './deployed-clients.ts';

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

/** The deployed runtime of a function: built on first use and kept for the life of the container. */
export function runtime(set: ClientSet): () => Runtime {
  let cached: Runtime | undefined;
  return () => {
    cached ??= { config: loadDeployedConfig(), clients: deployedClients(set) };
    return cached;
  };
}

/**
 * What a handler runs with: the runtime it was given (tests pass theirs) with the clients narrowed
 * to the function's own set, so the tests reach only the clients the bundle carries.
 */
export function ownRuntime(deps: () => Runtime, set: ClientSet): () => Runtime {
  return () => {
    const given = deps();
    return { ...given, clients: restrictClients(given.clients, set) };
  };
}
