import type { ClusterConfig } from '../config/schema.ts';
import { awsCallFailed, type CallerName } from '../findings/aws-calls.ts';
import { type Finding, type Verdict, verdictOf } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import type { ControlPlaneGroup, Discovery } from './control-plane.ts';

/** What discovery found for one cluster: its groups (or none), and groups that look like its but are not tagged so. */
export function discoveryFindings(
  cluster: ClusterConfig,
  groups: readonly ControlPlaneGroup[],
  suspicious: Discovery['suspicious'],
): Finding[] {
  const out: Finding[] = suspicious
    .filter((s) => s.cluster === cluster.name)
    .map((s) =>
      finding('GROUP_TAGS_MISMATCH', {
        cluster: cluster.name,
        resource: s.group,
        expected: 'cluster and control-plane role tags',
        actual: s.reason,
        action: 'skipped',
        message: `${s.group} ${s.reason}; it is left alone`,
      }),
    );
  out.push(
    groups.length === 0
      ? finding('NO_CONTROL_PLANE_GROUPS', {
          cluster: cluster.name,
          resource: 'discovery',
          expected: `groups named *.masters.${cluster.name} (or *.apiservers.${cluster.name}) tagged for the cluster`,
          actual: 'none found',
          message: `no control-plane Auto Scaling group of ${cluster.name} was found in this account and region`,
        })
      : finding('CONTROL_PLANE_GROUPS_FOUND', {
          cluster: cluster.name,
          resource: 'discovery',
          expected: 'at least one group',
          actual: groups.map((g) => g.name).join(', '),
          message: `${groups.length} control-plane or API-server group(s) found`,
        }),
  );
  return out;
}

/** One verdict per cluster when discovery itself failed. */
export function discoveryFailed(
  clusters: readonly ClusterConfig[],
  err: unknown,
  caller: CallerName,
): Verdict[] {
  return clusters.map((c) => verdictOf(c.name, [awsCallFailed(c.name, caller, 'discovery', err)]));
}
