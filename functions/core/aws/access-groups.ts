import type { ClusterConfig } from '../config/schema.ts';

/**
 * How the CLI reaches a cluster's account: the cluster's `cliRoleArn` (assumed with STS), its
 * `profile` (of the shared AWS config files), or neither (the default credential chain). Pure.
 */
export type CredentialSource =
  | { readonly kind: 'role'; readonly roleArn: string }
  | { readonly kind: 'profile'; readonly profile: string }
  | { readonly kind: 'default' };

export function credentialSourceOf(cluster: Pick<ClusterConfig, 'cliRoleArn' | 'profile'>): CredentialSource {
  if (cluster.cliRoleArn) return { kind: 'role', roleArn: cluster.cliRoleArn };
  if (cluster.profile) return { kind: 'profile', profile: cluster.profile };
  return { kind: 'default' };
}

/** The source in words, as findings and docs name it: the role ARN, `profile <name>`, `default credentials`. */
export function sourceLabel(source: CredentialSource): string {
  if (source.kind === 'role') return source.roleArn;
  if (source.kind === 'profile') return `profile ${source.profile}`;
  return 'default credentials';
}

/** The clusters one client set serves: one account, one region, one credential source. */
export interface AccessGroup {
  /** `<account>/<region>/<source>`: unique per group. */
  readonly key: string;
  readonly account: string;
  readonly region: string;
  readonly source: CredentialSource;
  readonly clusters: readonly ClusterConfig[];
}

/**
 * The clusters grouped by (account, region, credential source), in the order each group first
 * appears in the config, clusters in config order: the clusters of a group share one client set.
 */
export function groupByAccess(clusters: readonly ClusterConfig[]): AccessGroup[] {
  const groups = new Map<string, AccessGroup & { clusters: ClusterConfig[] }>();
  for (const c of clusters) {
    const source = credentialSourceOf(c);
    const key = `${c.account}/${c.region}/${sourceLabel(source)}`;
    const group = groups.get(key);
    if (group) group.clusters.push(c);
    else groups.set(key, { key, account: c.account, region: c.region, source, clusters: [c] });
  }
  return [...groups.values()];
}
