import { type CredentialSource, sourceLabel } from '../aws/access-groups.ts';
import { errorMessage } from '../aws/errors.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { Finding } from './finding.ts';
import { finding } from './make.ts';

/**
 * The CLI could not act as the cluster's account: no credentials from the cluster's source, or
 * credentials of another account. Nothing else of the cluster is evaluated (exit 3).
 */
export function credentialsUnavailable(
  cluster: ClusterConfig,
  source: CredentialSource,
  err: unknown,
): Finding {
  const label = sourceLabel(source);
  return finding('CLI_CREDENTIALS_UNAVAILABLE', {
    cluster: cluster.name,
    resource: label,
    expected: `credentials of account ${cluster.account} from ${label}`,
    actual: errorMessage(err),
    message: `not evaluated: no credentials for account ${cluster.account} (${cluster.region}) from ${label}: ${errorMessage(err)}`,
    details: { account: cluster.account, region: cluster.region, source: source.kind },
  });
}

export function accountMismatch(cluster: ClusterConfig, source: CredentialSource, actual: string): Finding {
  const label = sourceLabel(source);
  return finding('CLI_ACCOUNT_MISMATCH', {
    cluster: cluster.name,
    resource: label,
    expected: `account ${cluster.account}`,
    actual: `account ${actual}`,
    message: `not evaluated: ${label} acts as account ${actual}, the cluster is in ${cluster.account}; nothing of the cluster was read`,
    details: { account: cluster.account, region: cluster.region, source: source.kind, callerAccount: actual },
  });
}
