import { CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
} from '@aws-sdk/client-ec2';
import { AddTagsCommand, CreateLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing';
import {
  AddTagsCommand as AddTagsV2Command,
  CreateListenerCommand,
  CreateLoadBalancerCommand as CreateNlbCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import {
  createInternalLoadBalancers,
  createKopsCluster,
  createNetwork,
  type InternalLoadBalancers,
  type KopsNetwork,
  tags,
} from './kops-account.ts';
import { SANDBOX_IMAGE_ID } from './moto.ts';
import { settleClassicElb } from './world.ts';

/**
 * The account `init` reads in the tests: a kops cluster as AWS reports it. Control-plane groups
 * attached to kops' own API load balancers (a classic ELB and an NLB target group, tagged and
 * named the way kops does) and to the user's internal ones; node groups whose launch templates
 * carry the node security group `nodes.<cluster>` beside another one (one template by
 * SecurityGroupIds, one by NetworkInterfaces); a masters security group on the control plane.
 */
export interface InitAccount {
  net: KopsNetwork;
  internal: InternalLoadBalancers;
  kopsClassicName: string;
  kopsTargetGroupArn: string;
  nodeSecurityGroupId: string;
  nodeGroups: string[];
  controlPlaneGroups: string[];
}

function kopsTags(cluster: string, name: string) {
  return [
    { Key: 'KubernetesCluster', Value: cluster },
    { Key: `kubernetes.io/cluster/${cluster}`, Value: 'owned' },
    { Key: 'Name', Value: name },
  ];
}

async function securityGroup(
  clients: AwsClients,
  vpcId: string,
  cluster: string,
  name: string,
): Promise<string> {
  const sg = await clients.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: `kops ${name}`, VpcId: vpcId }),
  );
  const id = sg.GroupId ?? '';
  await clients.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: kopsTags(cluster, name) }));
  return id;
}

/** kops' own API load balancers: `api-<cluster slug>-<hash>` (classic) and an NLB with a `tcp-…` target group. */
async function kopsApiLoadBalancers(clients: AwsClients, net: KopsNetwork, cluster: string) {
  const slug = cluster.replaceAll('.', '-');
  // kops' LBName32: `<prefix>-<slug>` cut to 25 characters, `-`, a 6-character hash
  const kopsName = (prefix: string, hash: string) => `${`${prefix}-${slug}`.slice(0, 25)}-${hash}`;
  const kopsClassicName = kopsName('api', 'vd3t5n');
  await clients.elb.send(
    new CreateLoadBalancerCommand({
      LoadBalancerName: kopsClassicName,
      Subnets: net.subnetIds,
      Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 443, InstanceProtocol: 'TCP', InstancePort: 443 }],
    }),
  );
  await clients.elb.send(
    new AddTagsCommand({ LoadBalancerNames: [kopsClassicName], Tags: kopsTags(cluster, `api.${cluster}`) }),
  );
  const nlb = await clients.elbv2.send(
    new CreateNlbCommand({
      Name: kopsName('api', 'k2j4n8'),
      Type: 'network',
      Subnets: net.subnetIds,
      Tags: kopsTags(cluster, `api.${cluster}`),
    }),
  );
  const tgName = kopsName('tcp', 'vpjolq');
  const tg = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: tgName,
      Protocol: 'TCP',
      Port: 443,
      VpcId: net.vpcId,
      TargetType: 'instance',
    }),
  );
  const kopsTargetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
  await clients.elbv2.send(
    new AddTagsV2Command({ ResourceArns: [kopsTargetGroupArn], Tags: kopsTags(cluster, tgName) }),
  );
  await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: nlb.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
      Protocol: 'TCP',
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: kopsTargetGroupArn }],
    }),
  );
  return { kopsClassicName, kopsTargetGroupArn };
}

/** Node groups, one per zone, each with its own launch template naming the node security groups. */
async function nodeGroups(
  clients: AwsClients,
  net: KopsNetwork,
  cluster: string,
  zones: string[],
  sgs: string[],
) {
  const names: string[] = [];
  for (const [i, zone] of zones.entries()) {
    const ig = `nodes-${zone}`;
    const name = `${ig}.${cluster}`;
    // kops writes SecurityGroupIds, or the groups of its network interface (public IPs, IPv6)
    const network =
      i % 2 === 0 ? { SecurityGroupIds: sgs } : { NetworkInterfaces: [{ DeviceIndex: 0, Groups: sgs }] };
    await clients.ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        LaunchTemplateData: { ImageId: SANDBOX_IMAGE_ID, InstanceType: 't3.medium', ...network },
      }),
    );
    await clients.autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        MinSize: 0,
        MaxSize: 2,
        DesiredCapacity: 0,
        LaunchTemplate: { LaunchTemplateName: name, Version: '$Latest' },
        VPCZoneIdentifier: net.subnetIds[i % net.subnetIds.length],
        Tags: tags(cluster, ig, 'node'),
      }),
    );
    names.push(name);
  }
  return names;
}

export async function buildInitAccount(
  clients: AwsClients,
  opts: { cluster: string; zones: string[]; naming: 'control-plane' | 'master' },
): Promise<InitAccount> {
  const net = await createNetwork(clients, opts.zones);
  const internal = await createInternalLoadBalancers(clients, net, {
    classic: 'k8s-api-internal',
    nlb: 'k8s-api-internal-nlb',
    targetGroup: 'k8s-api-internal-tcp',
  });
  const kops = await kopsApiLoadBalancers(clients, net, opts.cluster);
  const nodeSecurityGroupId = await securityGroup(clients, net.vpcId, opts.cluster, `nodes.${opts.cluster}`);
  await securityGroup(clients, net.vpcId, opts.cluster, `masters.${opts.cluster}`);
  const extra = await securityGroup(clients, net.vpcId, opts.cluster, 'corp-monitoring');
  const cp = await createKopsCluster(clients, net, {
    name: opts.cluster,
    zones: opts.zones,
    naming: opts.naming,
    attach: {
      classic: [kops.kopsClassicName, internal.classicName],
      targetGroupArns: [kops.kopsTargetGroupArn, internal.targetGroupArn],
    },
  });
  // moto keeps only the last group's instances on a shared classic ELB; AWS holds them all
  await settleClassicElb(clients, cp.controlPlaneGroups, internal.classicName);
  const nodes = await nodeGroups(clients, net, opts.cluster, opts.zones, [nodeSecurityGroupId, extra]);
  return {
    net,
    internal,
    ...kops,
    nodeSecurityGroupId,
    nodeGroups: nodes,
    controlPlaneGroups: cp.controlPlaneGroups,
  };
}
