import { type Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import { partitionOf as corePartitionOf } from '../../functions/core/aws/partition.ts';
import { nodeGroupConfigPrefix } from '../../functions/core/ca/nodeup.ts';
import { parseStateStoreUrl } from '../../functions/core/ca/s3-text.ts';
import type { ClusterConfig } from '../../functions/core/config/schema.ts';

/**
 * Least-privilege statements for the registrar and the verifier. Read-only Describe* calls do not
 * support resource-level permissions and use `*`; every mutating action names the resources it
 * may touch: the configured clusters' control-plane groups (and only when they carry the cluster
 * tag) and the configured load balancers.
 */

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`, ...), literal so policies stay readable. */
export function partitionOf(region: string): string {
  return Token.isUnresolved(region) ? 'aws' : corePartitionOf(region);
}

/** The reads both functions need to discover control-plane groups and inspect load balancers. */
export function controlPlaneReadStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeControlPlaneAndLoadBalancers',
    actions: [
      'autoscaling:DescribeAutoScalingGroups',
      // which group holds a registered instance no API-backend group lists (shared load balancers)
      'autoscaling:DescribeAutoScalingInstances',
      'autoscaling:DescribeLifecycleHooks',
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeTargetHealth',
      'elasticloadbalancing:DescribeInstanceHealth',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeListeners',
      'ec2:DescribeInstances',
    ],
    resources: ['*'],
  });
}

/** `…:autoScalingGroupName/*.masters.<cluster>`: kops' control-plane group names, both eras. */
export function controlPlaneGroupArn(cluster: ClusterConfig): string {
  return `arn:${partitionOf(cluster.region)}:autoscaling:${cluster.region}:${cluster.account}:autoScalingGroup:*:autoScalingGroupName/*.masters.${cluster.name}`;
}

/** `…:autoScalingGroupName/*.apiservers.<cluster>`: kops' API-server node groups (role APIServer). */
export function apiServerGroupArn(cluster: ClusterConfig): string {
  return controlPlaneGroupArn(cluster).replace(/\*\.masters\.([^/]*)$/, '*.apiservers.$1');
}

export function classicLoadBalancerArn(cluster: ClusterConfig, name: string): string {
  return `arn:${partitionOf(cluster.region)}:elasticloadbalancing:${cluster.region}:${cluster.account}:loadbalancer/${name}`;
}

/**
 * What the registrar may change, per cluster: attach the configured load balancers to the
 * cluster's control-plane and API-server groups (name suffix AND a cluster tag, either kind), complete its lifecycle
 * actions there, and (de)register instances on the configured load balancers only.
 */
export function registrarMutationStatements(clusters: ClusterConfig[]): iam.PolicyStatement[] {
  return clusters.flatMap((cluster, i) => {
    // a group counts as the cluster's when it carries either kops cluster tag (discovery accepts both)
    const tagged = [
      { StringEquals: { 'aws:ResourceTag/KubernetesCluster': cluster.name } },
      { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster.name}`]: ['owned', 'shared'] } },
    ];
    // the API backends: control-plane groups and API-server node groups, both tag-conditioned
    const group = [controlPlaneGroupArn(cluster), apiServerGroupArn(cluster)];
    const { classic, targetGroupArns } = cluster.loadBalancers;
    const statements: iam.PolicyStatement[] = tagged.flatMap((tag, t) => {
      const out = [
        new iam.PolicyStatement({
          sid: `CompleteLifecycleActions${i}T${t}`,
          actions: ['autoscaling:CompleteLifecycleAction'],
          resources: group,
          conditions: tag,
        }),
      ];
      // attach only the configured load balancers, named in the request
      if (classic.length > 0) {
        out.push(
          new iam.PolicyStatement({
            sid: `AttachClassicLoadBalancers${i}T${t}`,
            actions: ['autoscaling:AttachLoadBalancers'],
            resources: group,
            conditions: {
              ...tag,
              'ForAllValues:StringEquals': { 'autoscaling:LoadBalancerNames': classic },
              Null: { 'autoscaling:LoadBalancerNames': 'false' },
            },
          }),
        );
      }
      if (targetGroupArns.length > 0) {
        out.push(
          new iam.PolicyStatement({
            sid: `AttachTargetGroups${i}T${t}`,
            actions: ['autoscaling:AttachLoadBalancerTargetGroups'],
            resources: group,
            conditions: {
              ...tag,
              'ForAllValues:ArnEquals': { 'autoscaling:TargetGroupARNs': targetGroupArns },
              Null: { 'autoscaling:TargetGroupARNs': 'false' },
            },
          }),
        );
      }
      return out;
    });
    if (cluster.loadBalancers.classic.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: `RegisterWithClassicLoadBalancers${i}`,
          actions: [
            'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
            'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
          ],
          resources: cluster.loadBalancers.classic.map((name) => classicLoadBalancerArn(cluster, name)),
        }),
      );
    }
    if (cluster.loadBalancers.targetGroupArns.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: `RegisterWithTargetGroups${i}`,
          actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
          resources: [...cluster.loadBalancers.targetGroupArns],
        }),
      );
    }
    return statements;
  });
}

/**
 * The verifier's read of what each cluster's nodes trust, from wherever the config says it lives.
 * `state-store`: list exactly `<prefix>/<cluster>/igconfig/node/` (s3:ListBucket with an
 * `s3:prefix` condition, so the node groups need no configuring and a missing object answers 404),
 * and read `<prefix>/<cluster>/igconfig/node/<ig>/nodeupconfig.yaml` (one wildcard for <ig>), nothing else: never `pki/`,
 * whose keysets hold the CA private key. kms:Decrypt only on `ca.kmsKeyArn`, only through S3.
 */
export function caReadStatements(clusters: ClusterConfig[]): iam.PolicyStatement[] {
  const parameterArns: string[] = [];
  const objectArns: string[] = [];
  const listings = new Map<string, string[]>();
  const kmsKeys: string[] = [];
  for (const cluster of clusters) {
    const ca = cluster.ca;
    const partition = partitionOf(cluster.region);
    if (ca.source === 'ssm') {
      // parameterName starts with '/', so it follows `parameter` directly.
      parameterArns.push(
        `arn:${partition}:ssm:${cluster.region}:${cluster.account}:parameter${ca.parameterName}`,
      );
    } else if (ca.source === 'state-store') {
      // exactly what functions/core/ca/nodeup.ts lists and reads
      const { bucket, prefix } = parseStateStoreUrl(ca.stateStore);
      const listPrefix = nodeGroupConfigPrefix(prefix, cluster.name);
      objectArns.push(`arn:${partition}:s3:::${bucket}/${listPrefix}*/nodeupconfig.yaml`);
      const bucketArn = `arn:${partition}:s3:::${bucket}`;
      listings.set(bucketArn, [...(listings.get(bucketArn) ?? []), listPrefix]);
      if (ca.kmsKeyArn && !kmsKeys.includes(ca.kmsKeyArn)) kmsKeys.push(ca.kmsKeyArn);
    }
  }
  const statements: iam.PolicyStatement[] = [];
  if (parameterArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadCaBundleParameters',
        actions: ['ssm:GetParameter'],
        resources: parameterArns,
      }),
    );
  }
  if (objectArns.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadNodeGroupNodeupConfigs',
        actions: ['s3:GetObject'],
        resources: objectArns,
      }),
    );
    statements.push(...listPrefixStatements('ListNodeGroupNodeupConfigs', listings));
  }
  if (kmsKeys.length > 0) statements.push(decryptViaS3Statement('DecryptNodeupConfigsViaS3', kmsKeys));
  return statements;
}

/** s3:ListBucket per bucket, only with an `s3:prefix` condition of exactly the given prefixes. */
export function listPrefixStatements(
  sid: string,
  listings: ReadonlyMap<string, string[]>,
): iam.PolicyStatement[] {
  return [...listings].map(
    ([bucketArn, prefixes], i) =>
      new iam.PolicyStatement({
        sid: `${sid}${i}`,
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
        conditions: { StringEquals: { 's3:prefix': prefixes } },
      }),
  );
}

/** kms:Decrypt on the given keys, only on behalf of S3. */
export function decryptViaS3Statement(sid: string, keys: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['kms:Decrypt'],
    resources: keys,
    // the state store's bucket may be in another region than the cluster: any region's S3
    conditions: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
  });
}

/** events:PutEvents on the default bus only, and only with the sentinel's own `source`. */
export function putDefaultBusEventsStatement(stack: Stack): iam.PolicyStatement {
  const partition = Token.isUnresolved(stack.region) ? stack.partition : partitionOf(stack.region);
  return new iam.PolicyStatement({
    sid: 'PutSentinelEvents',
    actions: ['events:PutEvents'],
    resources: [`arn:${partition}:events:${stack.region}:${stack.account}:event-bus/default`],
    conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
  });
}

/**
 * A resource-policy statement that refuses an action on a resource to every principal but the
 * given roles, whatever their IAM allows (the follow-up queue, a fleet member's report bus).
 */
export function onlyTheseRolesStatement(
  sid: string,
  action: string,
  resource: string,
  roleArns: readonly string[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: [action],
    resources: [resource],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...roleArns] } },
  });
}
