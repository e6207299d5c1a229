import { type ClientSet, restrictClients } from '../core/aws/client-set.ts';
import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { ConnectTo } from '../core/tls/connect-to.ts';
import { deployedClients } from './deployed-clients.ts';

/**
 * The deployed configuration. The stack validates the config (parseConfig, defaults resolved) at
 * synth and bundles the result into each function as JSON (esbuild `define` of
 * process.env.SENTINEL_CONFIG_JSON), so no config travels in Lambda environment variables and
 * nobody can change it without a deployment. The function reads it as data: validating it again
 * would put the config schema and a zod parse into every cold start (about 35 ms of the
 * registrar's init, 13 KiB) to re-check what the synth checked.
 */
export function loadDeployedConfig(
  text: string | undefined = process.env.SENTINEL_CONFIG_JSON,
): SentinelConfig {
  if (!text)
    throw new Error('SENTINEL_CONFIG_JSON is not set: the function was bundled without its configuration');
  const config = JSON.parse(text) as Partial<SentinelConfig> | null;
  if (!config || !Array.isArray(config.clusters) || typeof config.alerts !== 'object')
    throw new Error(
      'SENTINEL_CONFIG_JSON does not hold a validated configuration (clusters, alerts): rebuild the stack',
    );
  return config as SentinelConfig;
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
