import { userInfo } from 'node:os';
import { groupByAccess } from '../../functions/core/aws/access-groups.ts';
import type { CallCounter } from '../../functions/core/aws/call-counter.ts';
import { type AccessOptions, openAccess } from '../../functions/core/aws/cli-access.ts';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { sessionNameFor } from '../../functions/core/aws/session-name.ts';
import type { ClusterConfig } from '../../functions/core/config/schema.ts';
import { clusterPlaces } from '../../functions/core/config/select.ts';
import type { CallerName } from '../../functions/core/findings/aws-calls.ts';
import type { Verdict } from '../../functions/core/findings/finding.ts';
import { type Limit, limiter } from '../../functions/core/limit.ts';
import type { WhereOf } from './format.ts';

/** The OS user running the CLI, for the STS session name (`kops-api-sentinel-<user>`). */
export function cliUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // no passwd entry (some containers)
    return process.env.USER ?? process.env.USERNAME;
  }
}

/** How the CLI opens an account: the session name of the OS user, whose run it is, a call counter. */
export function accessOptions(caller: CallerName, counter?: CallCounter): AccessOptions {
  return { sessionName: sessionNameFor(cliUser()), caller, ...(counter ? { counter } : {}) };
}

export interface FleetOptions {
  /** Whose run it is: `registrar` (reconcile) or `verifier` (verify). */
  caller: CallerName;
  /** Clusters evaluated at once, over every account and region together. */
  concurrency: number;
  /** Told each cluster's verdict as soon as it is known (progress lines). */
  onVerdict?: (verdict: Verdict) => void;
  /** Counts every AWS call, STS included (the bench). */
  counter?: CallCounter;
}

/** One command's run over the clusters of one account, region and credential source. */
export type GroupRun = (
  clusters: ClusterConfig[],
  clients: AwsClients,
  limit: Limit,
  onVerdict: (verdict: Verdict) => void,
) => Promise<readonly Verdict[]>;

/**
 * A CLI run over a fleet: the clusters grouped by account, region and credential source, one
 * client set per group, every group at once under one limit of `concurrency` clusters. A group
 * whose credentials fail or name another account gets its finding per cluster; the others run.
 * Verdicts come back in config order.
 */
export async function overFleet(
  clusters: readonly ClusterConfig[],
  opts: FleetOptions,
  run: GroupRun,
): Promise<Verdict[]> {
  const limit = limiter(opts.concurrency);
  const access = accessOptions(opts.caller, opts.counter);
  const byCluster = new Map<string, Verdict>();
  const told = (v: Verdict) => {
    byCluster.set(v.cluster, v);
    opts.onVerdict?.(v);
  };
  await Promise.all(
    groupByAccess(clusters).map(async (group) => {
      const opened = await limit(() => openAccess(group, access));
      if (!opened.ok) {
        for (const v of opened.verdicts) told(v);
        return;
      }
      const verdicts = await run([...group.clusters], opened.clients, limit, told);
      // a run that stopped early (discovery failed) returns verdicts it did not tell
      for (const v of verdicts) if (byCluster.get(v.cluster) !== v) told(v);
    }),
  );
  return clusters.flatMap((c) => byCluster.get(c.name) ?? []);
}

/** Where each configured cluster is (account and region), for the summary table and progress lines. */
export function whereOf(clusters: readonly ClusterConfig[]): WhereOf {
  const at = clusterPlaces(clusters);
  return (cluster) => at.get(cluster);
}

/** `2 account(s) and 3 region(s)`: the fleet a run covers, for its start line. */
export function fleetSize(clusters: readonly ClusterConfig[]): string {
  const accounts = new Set(clusters.map((c) => c.account)).size;
  const regions = new Set(clusters.map((c) => `${c.account}/${c.region}`)).size;
  return `${accounts} account(s), ${regions} region(s)`;
}
