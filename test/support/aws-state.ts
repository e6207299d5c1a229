import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../../functions/core/aws/clients.ts';

/** Reads the local AWS directly, independently of the code under test. */
export async function classicInstances(clients: AwsClients, name: string): Promise<string[]> {
  const res = await clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [name] }));
  return (res.LoadBalancerDescriptions?.[0]?.Instances ?? []).map((i) => i.InstanceId ?? '').sort();
}

export async function targets(clients: AwsClients, arn: string): Promise<string[]> {
  const res = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (res.TargetHealthDescriptions ?? [])
    .filter((t) => t.TargetHealth?.State !== 'draining')
    .map((t) => t.Target?.Id ?? '')
    .sort();
}

export async function group(clients: AwsClients, name: string) {
  const res = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const g = res.AutoScalingGroups?.[0];
  if (!g) throw new Error(`group ${name} not found`);
  return {
    loadBalancerNames: g.LoadBalancerNames ?? [],
    targetGroupArns: g.TargetGroupARNs ?? [],
    instances: (g.Instances ?? []).map((i) => ({ id: i.InstanceId ?? '', state: i.LifecycleState ?? '' })),
    liveInstanceIds: (g.Instances ?? [])
      .filter((i) => i.LifecycleState === 'InService')
      .map((i) => i.InstanceId ?? ''),
  };
}

export async function liveControlPlaneInstances(clients: AwsClients, groups: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const g of groups) ids.push(...(await group(clients, g)).liveInstanceIds);
  return ids.sort();
}
