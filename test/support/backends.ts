import {
  AttachLoadBalancersCommand,
  AttachLoadBalancerTargetGroupsCommand,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../../functions/core/aws/clients.ts';

/** Everything a registrar run could change, read straight from the local AWS: compare two of them. */
export async function awsPicture(
  clients: AwsClients,
  lbs: { classic: string[]; targetGroupArns: string[] },
): Promise<Record<string, unknown>> {
  const groups = await clients.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  const out: Record<string, unknown> = {};
  for (const g of groups.AutoScalingGroups ?? []) {
    out[`group ${g.AutoScalingGroupName}`] = {
      lbs: [...(g.LoadBalancerNames ?? [])].sort(),
      tgs: [...(g.TargetGroupARNs ?? [])].sort(),
      instances: (g.Instances ?? []).map((i) => `${i.InstanceId}:${i.LifecycleState}`).sort(),
    };
  }
  for (const name of lbs.classic) {
    const d = await clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames: [name] }));
    out[`elb ${name}`] = (d.LoadBalancerDescriptions?.[0]?.Instances ?? []).map((i) => i.InstanceId).sort();
  }
  for (const arn of lbs.targetGroupArns) {
    const d = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    out[`tg ${arn}`] = (d.TargetHealthDescriptions ?? [])
      .map((t) => `${t.Target?.Id}:${t.Target?.Port}:${t.TargetHealth?.State}`)
      .sort();
  }
  return out;
}

/** Target-group registrations as `id:port`, draining ones left out. */
export async function targetPorts(clients: AwsClients, arn: string): Promise<string[]> {
  const d = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (d.TargetHealthDescriptions ?? [])
    .filter((t) => t.TargetHealth?.State !== 'draining')
    .map((t) => `${t.Target?.Id}:${t.Target?.Port}`)
    .sort();
}

/**
 * A kops API-server node group (`<ig>.apiservers.<cluster>`, role APIServer) built from the
 * launch template of an existing group, tagged as kops tags it.
 */
export async function createApiServerGroup(
  clients: AwsClients,
  opts: {
    cluster: string;
    like: string;
    zone?: string;
    attach?: { classic?: string[]; targetGroupArns?: string[] };
  },
): Promise<string> {
  const model = (
    await clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [opts.like] }),
    )
  ).AutoScalingGroups?.[0];
  if (!model?.LaunchTemplate) throw new Error(`${opts.like} has no launch template to copy`);
  const ig = `apiserver-${opts.zone ?? 'eu-west-1a'}`;
  const name = `${ig}.apiservers.${opts.cluster}`;
  const tags: Record<string, string> = {
    KubernetesCluster: opts.cluster,
    [`kubernetes.io/cluster/${opts.cluster}`]: 'owned',
    Name: name,
    'kops.k8s.io/instancegroup': ig,
    'k8s.io/role/apiserver': '1',
  };
  await clients.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      MinSize: 1,
      MaxSize: 1,
      DesiredCapacity: 1,
      LaunchTemplate: {
        LaunchTemplateName: model.LaunchTemplate.LaunchTemplateName,
        Version: '$Latest',
      },
      VPCZoneIdentifier: model.VPCZoneIdentifier,
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })),
    }),
  );
  await attach(clients, name, opts.attach ?? {});
  return name;
}

/** Attaches load balancers to a group, as an instance group's externalLoadBalancers would. */
export async function attach(
  clients: AwsClients,
  group: string,
  lbs: { classic?: string[]; targetGroupArns?: string[] },
): Promise<void> {
  if (lbs.classic?.length)
    await clients.autoscaling.send(
      new AttachLoadBalancersCommand({ AutoScalingGroupName: group, LoadBalancerNames: lbs.classic }),
    );
  if (lbs.targetGroupArns?.length)
    await clients.autoscaling.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: group,
        TargetGroupARNs: lbs.targetGroupArns,
      }),
    );
}
