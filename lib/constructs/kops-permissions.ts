import * as iam from 'aws-cdk-lib/aws-iam';
import { parseStateStoreUrl } from '../../functions/core/ca/s3-text.ts';
import type { ClusterConfig } from '../../functions/core/config/schema.ts';
import { kopsSpecKeys } from '../../functions/core/kops/keys.ts';
import { decryptViaS3Statement, listPrefixStatements, partitionOf } from './permissions.ts';

/**
 * The verifier's read of the kops specs, per cluster with `kops.stateStore`: s3:GetObject on
 * exactly `<prefix>/<cluster>/config`, `…/cluster-completed.spec` and `…/instancegroup/*`,
 * s3:ListBucket only with `s3:prefix` = `<prefix>/<cluster>/instancegroup/`, and kms:Decrypt on
 * `kops.kmsKeyArn` through S3 only. Nothing under `pki/`.
 */
export function kopsSpecReadStatements(clusters: readonly ClusterConfig[]): iam.PolicyStatement[] {
  const objectArns: string[] = [];
  const listings = new Map<string, string[]>();
  const kmsKeys: string[] = [];
  for (const cluster of clusters) {
    if (!cluster.kops) continue;
    const partition = partitionOf(cluster.region);
    const { bucket, prefix } = parseStateStoreUrl(cluster.kops.stateStore);
    const keys = kopsSpecKeys(prefix, cluster.name);
    const object = (key: string) => `arn:${partition}:s3:::${bucket}/${key}`;
    objectArns.push(object(keys.config), object(keys.completed), object(`${keys.instanceGroups}*`));
    const bucketArn = `arn:${partition}:s3:::${bucket}`;
    listings.set(bucketArn, [...(listings.get(bucketArn) ?? []), keys.instanceGroups]);
    if (cluster.kops.kmsKeyArn && !kmsKeys.includes(cluster.kops.kmsKeyArn))
      kmsKeys.push(cluster.kops.kmsKeyArn);
  }
  if (objectArns.length === 0) return [];
  const statements = [
    new iam.PolicyStatement({ sid: 'ReadKopsSpecs', actions: ['s3:GetObject'], resources: objectArns }),
    ...listPrefixStatements('ListKopsInstanceGroups', listings),
  ];
  if (kmsKeys.length > 0) statements.push(decryptViaS3Statement('DecryptKopsSpecsViaS3', kmsKeys));
  return statements;
}

/**
 * Tags of load balancers, to tell kops' own API load balancer among a control-plane group's
 * attachments (read only when a spec says useForInternalApi). Read-only; no resource-level scope.
 */
export function loadBalancerTagReadStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeLoadBalancerTags',
    actions: ['elasticloadbalancing:DescribeTags'],
    resources: ['*'],
  });
}
