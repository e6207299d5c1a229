import { type Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import { keysetKeys, parseStateStoreUrl } from '../../functions/core/ca/sources.ts';
import type { ClusterConfig } from '../../functions/core/config/schema.ts';

/**
 * Least-privilege statements for the registrar and the verifier. Read-only Describe* calls do not
 * support resource-level permissions and use `*`; every mutating action names the resources it
 * may touch: the configured clusters' control-plane groups (and only when they carry the cluster
 * tag) and the configured load balancers.
 */

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`, ...), literal so policies stay readable. */
export function partitionOf(region: string): string {
  return (Token.isUnresolved(region) ? undefined : RegionInfo.get(region).partition) ?? 'aws';
}

/** The reads both functions need to discover control-plane groups and inspect load balancers. */
export function controlPlaneReadStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeControlPlaneAndLoadBalancers',
    actions: [
      'autoscaling:DescribeAutoScalingGroups',
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

export function classicLoadBalancerArn(cluster: ClusterConfig, name: string): string {
  return `arn:${partitionOf(cluster.region)}:elasticloadbalancing:${cluster.region}:${cluster.account}:loadbalancer/${name}`;
}

/**
 * What the registrar may change, per cluster: attach the configured load balancers to the
 * cluster's control-plane groups (name suffix AND a cluster tag, either kind), complete its lifecycle
 * actions there, and (de)register instances on the configured load balancers only.
 */
export function registrarMutationStatements(clusters: ClusterConfig[]): iam.PolicyStatement[] {
  return clusters.flatMap((cluster, i) => {
    // a group counts as the cluster's when it carries either kops cluster tag (discovery accepts both)
    const tagged = [
      { StringEquals: { 'aws:ResourceTag/KubernetesCluster': cluster.name } },
      { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster.name}`]: ['owned', 'shared'] } },
    ];
    const group = [controlPlaneGroupArn(cluster)];
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

/** The verifier's read of each cluster's CA bundle, from wherever the config says it lives. */
export function caReadStatements(clusters: ClusterConfig[]): iam.PolicyStatement[] {
  const parameterArns: string[] = [];
  const keysetArns: string[] = [];
  for (const cluster of clusters) {
    const ca = cluster.ca;
    if (ca.source === 'ssm') {
      // parameterName starts with '/', so it follows `parameter` directly.
      parameterArns.push(
        `arn:${partitionOf(cluster.region)}:ssm:${cluster.region}:${cluster.account}:parameter${ca.parameterName}`,
      );
    } else if (ca.source === 'state-store') {
      // exactly the keys the verifier tries (functions/core/ca/sources.ts)
      const { bucket, prefix } = parseStateStoreUrl(ca.stateStore);
      for (const key of keysetKeys(prefix, cluster.name)) {
        keysetArns.push(`arn:${partitionOf(cluster.region)}:s3:::${bucket}/${key}`);
      }
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
  if (keysetArns.length > 0) {
    // WARNING: these kops keyset objects hold the cluster CA's PRIVATE key as well as its
    // certificate. The verifier reads publicMaterial only and never logs, caches or returns
    // privateMaterial, but this grant does let it read the key; prefer the SSM parameter source.
    // Only GetObject is granted (no ListBucket), so a missing keyset answers 403, not 404.
    statements.push(
      new iam.PolicyStatement({ sid: 'ReadKopsCaKeysets', actions: ['s3:GetObject'], resources: keysetArns }),
    );
  }
  return statements;
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
