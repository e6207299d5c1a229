import { clusterKey } from '../ca/s3-text.ts';

/**
 * The object keys of one cluster's kops specs, and the one prefix listed: exactly what the
 * reader (read.ts) reads and the verifier's IAM grants (lib/constructs/kops-permissions.ts).
 */
export function kopsSpecKeys(prefix: string, cluster: string) {
  return {
    config: clusterKey(prefix, cluster, 'config'),
    completed: clusterKey(prefix, cluster, 'cluster-completed.spec'),
    instanceGroups: `${clusterKey(prefix, cluster, 'instancegroup')}/`,
  };
}
