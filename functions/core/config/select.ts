import type { ClusterConfig, SentinelConfig } from './schema.ts';

/** Where a cluster lives: its account and region, as the config gives them. */
export interface ClusterPlace {
  account: string;
  region: string;
}

/** Each configured cluster's place, by name: what alerts name and what the hub checks reports against. */
export function clusterPlaces(
  clusters: readonly Pick<ClusterConfig, 'name' | 'account' | 'region'>[],
): ReadonlyMap<string, ClusterPlace> {
  return new Map(clusters.map((c) => [c.name, { account: c.account, region: c.region }]));
}

/** A cluster name that no `clusters[].name` of the config matches. */
export class UnknownClusterError extends Error {
  constructor(
    /** The name asked for. */
    readonly cluster: string,
    /** Where the name came from (`--cluster`, `detail.cluster`). */
    readonly field: string,
    readonly configured: readonly string[],
  ) {
    super(`${field}: found "${cluster}"; expected one of ${configured.map((c) => `"${c}"`).join(', ')}`);
    this.name = 'UnknownClusterError';
  }

  /** The short reason an event is ignored or rejected for. */
  get notConfigured(): string {
    return `cluster ${this.cluster} is not configured`;
  }
}

/**
 * The clusters a run is about: every configured cluster, or the one named. The one place a
 * cluster is picked by name (CLI, registrar and verifier events alike).
 */
export function selectClusters(config: SentinelConfig, name?: string, field = '--cluster'): ClusterConfig[] {
  if (!name) return config.clusters;
  const found = config.clusters.filter((c) => c.name === name);
  if (found.length === 0)
    throw new UnknownClusterError(
      name,
      field,
      config.clusters.map((c) => c.name),
    );
  return found;
}

/**
 * As selectClusters, for an event: an unknown name is a reason to ignore or reject the event
 * (`cluster <name> is not configured`), not an exception.
 */
export function clustersForEvent(
  config: SentinelConfig,
  name: string | undefined,
): { clusters: ClusterConfig[] } | { unknown: string } {
  try {
    return { clusters: selectClusters(config, name, 'cluster') };
  } catch (err) {
    if (err instanceof UnknownClusterError) return { unknown: err.notConfigured };
    throw err;
  }
}
