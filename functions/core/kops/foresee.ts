import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';
import type { Finding } from '../findings/finding.ts';
import { readKopsApiListeners } from './api-listeners.ts';
import { kopsForesight, needsApiListeners } from './foresight.ts';
import { readKopsSpecs } from './read.ts';

/**
 * The verifier's kops step, for a cluster with `kops.stateStore`: read the specs, read kops' API
 * load balancer's listeners only when the spec sends nodes to it, then judge (pure). `complete` is
 * true when the specs (and the listeners it needed) were read, so alerts of the `kops-spec` check not seen again resolve.
 */
export async function foreseeKops(
  cluster: ClusterConfig,
  groups: readonly ControlPlaneGroup[],
  clients: AwsClients,
): Promise<{ findings: Finding[]; complete: boolean }> {
  if (!cluster.kops) return { findings: [], complete: false };
  const read = await readKopsSpecs(cluster.kops.stateStore, cluster.name, clients.s3);
  const api = needsApiListeners(read) ? await readKopsApiListeners(clients, cluster, groups) : undefined;
  return {
    findings: kopsForesight({
      cluster,
      read,
      groups,
      ...(api ? { apiListeners: api.listeners, apiListenerFailures: api.failures } : {}),
    }),
    // an unread listener must not resolve its alert: the check is complete only when all was read
    complete: read.ok && (api?.failures.length ?? 0) === 0,
  };
}
