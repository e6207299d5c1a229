import { type ClientSet, restrictClients } from '../core/aws/client-set.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import { parseConfig } from '../core/config/parse.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { ConnectTo } from '../core/tls/connect-to.ts';
import { deployedClients } from './deployed-clients.ts';

/**
 * The deployed configuration. The stack bundles the validated config into each function at
 * build time (esbuild `define` of process.env.SENTINEL_CONFIG_JSON), so no config travels in
 * Lambda environment variables; runtime() below parses it at module load.
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

/**
 * The deployed runtime of a function, built when the handler module loads: the config parsed and
 * every client of the function's set constructed during Lambda's init phase (run with a CPU boost
 * and paid once per sandbox), as AWS advises for SDK clients. Kept for the life of the container.
 * A failure (a handler's source imported with no compiled-in config, as the tests do) is kept and
 * thrown at each invocation instead, so importing a handler module never throws.
 */
export function runtime(set: ClientSet): () => Runtime {
  let built: { runtime: Runtime } | { error: unknown };
  try {
    built = { runtime: { config: loadDeployedConfig(), clients: deployedClients(set) } };
  } catch (error) {
    built = { error };
  }
  return () => {
    if ('error' in built) throw built.error;
    return built.runtime;
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
