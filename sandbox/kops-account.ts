import {
  AttachLoadBalancerTargetGroupsCommand,
  type AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DetachLoadBalancersCommand,
  DetachLoadBalancerTargetGroupsCommand,
  type Tag,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
} from '@aws-sdk/client-ec2';
import {
  ConfigureHealthCheckCommand,
  CreateLoadBalancerCommand,
  CreateLoadBalancerListenersCommand,
  DeleteLoadBalancerListenersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand as CreateNlbCommand,
  CreateTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import { SANDBOX_IMAGE_ID } from './moto.ts';

/**
 * Builds a kops-shaped account in a local AWS (moto): a VPC with one subnet per zone, a node
 * security group, control-plane groups named and tagged like kops, node groups, an internal
 * classic ELB and an internal NLB with a TCP:443 target group. Used by the integration tests,
 * the rehearsal and the benchmark.
 */
export interface KopsClusterSpec {
  name: string;
  zones: string[];
  /** kops 1.26+ names groups control-plane-<zone> and sets both role tags; older ones master-<zone>. */
  naming: 'control-plane' | 'master';
  /** Load balancers to attach at creation (what `externalLoadBalancers` would do). */
  attach?: { classic?: string[]; targetGroupArns?: string[] };
  nodeGroup?: boolean;
}

export interface KopsNetwork {
  vpcId: string;
  subnetIds: string[];
  nodeSecurityGroupId: string;
  launchTemplateName: string;
}

export async function createNetwork(clients: AwsClients, zones: string[]): Promise<KopsNetwork> {
  const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '172.20.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnetIds: string[] = [];
  for (const [i, zone] of zones.entries()) {
    const s = await clients.ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `172.20.${32 * i}.0/19`, AvailabilityZone: zone }),
    );
    subnetIds.push(s.Subnet?.SubnetId ?? '');
  }
  const sg = await clients.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'nodes', Description: 'kops nodes', VpcId: vpcId }),
  );
  const images = await clients.ec2.send(new DescribeImagesCommand({ ImageIds: [SANDBOX_IMAGE_ID] }));
  const imageId = images.Images?.[0]?.ImageId ?? SANDBOX_IMAGE_ID;
  const launchTemplateName = 'kops-control-plane';
  await clients.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: launchTemplateName,
      LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.medium' },
    }),
  );
  return { vpcId, subnetIds, nodeSecurityGroupId: sg.GroupId ?? '', launchTemplateName };
}

export interface InternalLoadBalancers {
  classicName: string;
  nlbArn: string;
  targetGroupArn: string;
}

export async function createInternalLoadBalancers(
  clients: AwsClients,
  net: KopsNetwork,
  names: { classic: string; nlb: string; targetGroup: string },
): Promise<InternalLoadBalancers> {
  await clients.elb.send(
    new CreateLoadBalancerCommand({
      LoadBalancerName: names.classic,
      Scheme: 'internal',
      Subnets: net.subnetIds,
      Listeners: [{ Protocol: 'TCP', LoadBalancerPort: 443, InstanceProtocol: 'TCP', InstancePort: 443 }],
    }),
  );
  // the health check kops builds for its own API ELB: SSL:443, 10 s, 5 s, 2/2
  await clients.elb.send(
    new ConfigureHealthCheckCommand({
      LoadBalancerName: names.classic,
      HealthCheck: {
        Target: 'SSL:443',
        Interval: 10,
        Timeout: 5,
        HealthyThreshold: 2,
        UnhealthyThreshold: 2,
      },
    }),
  );
  const nlb = await clients.elbv2.send(
    new CreateNlbCommand({ Name: names.nlb, Type: 'network', Scheme: 'internal', Subnets: net.subnetIds }),
  );
  const nlbArn = nlb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  const tg = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: names.targetGroup,
      Protocol: 'TCP',
      Port: 443,
      VpcId: net.vpcId,
      TargetType: 'instance',
      HealthCheckProtocol: 'TCP',
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    }),
  );
  const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
  await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: nlbArn,
      Protocol: 'TCP',
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  return { classicName: names.classic, nlbArn, targetGroupArn };
}

/** The tags kops puts on a group (and propagates to its instances). */
export function tags(cluster: string, ig: string, role: 'control-plane' | 'master' | 'node'): Tag[] {
  const t: Record<string, string> = {
    KubernetesCluster: cluster,
    [`kubernetes.io/cluster/${cluster}`]: 'owned',
    Name: `${ig}.${role === 'node' ? '' : 'masters.'}${cluster}`,
    'kops.k8s.io/instancegroup': ig,
  };
  if (role === 'node') t['k8s.io/role/node'] = '1';
  else t['k8s.io/role/master'] = '1';
  if (role === 'control-plane') t['k8s.io/role/control-plane'] = '1';
  return Object.entries(t).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true }));
}

/** Creates a cluster's groups (one control-plane group per zone, optionally a node group); returns their names. */
export async function createKopsCluster(
  clients: AwsClients,
  net: KopsNetwork,
  spec: KopsClusterSpec,
): Promise<{ controlPlaneGroups: string[]; nodeGroup?: string }> {
  const autoscaling: AutoScalingClient = clients.autoscaling;
  const controlPlaneGroups: string[] = [];
  for (const [i, zone] of spec.zones.entries()) {
    const ig = `${spec.naming}-${zone}`;
    const name = `${ig}.masters.${spec.name}`;
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        MinSize: 1,
        MaxSize: 1,
        DesiredCapacity: 1,
        LaunchTemplate: { LaunchTemplateName: net.launchTemplateName, Version: '$Latest' },
        VPCZoneIdentifier: net.subnetIds[i % net.subnetIds.length],
        LoadBalancerNames: spec.attach?.classic ?? [],
        TargetGroupARNs: spec.attach?.targetGroupArns ?? [],
        Tags: tags(spec.name, ig, spec.naming),
      }),
    );
    controlPlaneGroups.push(name);
  }
  if (!spec.nodeGroup) return { controlPlaneGroups };
  const nodeGroup = `nodes-${spec.zones[0]}.${spec.name}`;
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: nodeGroup,
      MinSize: 2,
      MaxSize: 2,
      DesiredCapacity: 2,
      LaunchTemplate: { LaunchTemplateName: net.launchTemplateName, Version: '$Latest' },
      VPCZoneIdentifier: net.subnetIds.join(','),
      Tags: tags(spec.name, `nodes-${spec.zones[0]}`, 'node'),
    }),
  );
  return { controlPlaneGroups, nodeGroup };
}

/**
 * Replaces a classic ELB's listener on `port` (passing through to the same instance port): TCP as
 * the fix wants it, or SSL with a certificate, as someone "fixing" it with the ACM certificate does.
 */
export async function replaceClassicListener(
  clients: AwsClients,
  name: string,
  port: number,
  listener: { protocol: 'TCP' } | { protocol: 'SSL'; certificateArn: string },
): Promise<void> {
  await clients.elb.send(
    new DeleteLoadBalancerListenersCommand({ LoadBalancerName: name, LoadBalancerPorts: [port] }),
  );
  await clients.elb.send(
    new CreateLoadBalancerListenersCommand({
      LoadBalancerName: name,
      Listeners: [
        {
          Protocol: listener.protocol,
          LoadBalancerPort: port,
          InstanceProtocol: 'TCP',
          InstancePort: port,
          ...(listener.protocol === 'SSL' ? { SSLCertificateId: listener.certificateArn } : {}),
        },
      ],
    }),
  );
}

/** What `kops update cluster` (1.19+) does to load balancers an instance group does not list: detach them. */
export async function detachAsKopsUpdateWould(
  clients: AwsClients,
  group: string,
  lbs: { classic?: string[]; targetGroupArns?: string[] },
): Promise<void> {
  if (lbs.classic?.length) {
    await clients.autoscaling.send(
      new DetachLoadBalancersCommand({ AutoScalingGroupName: group, LoadBalancerNames: lbs.classic }),
    );
  }
  if (lbs.targetGroupArns?.length) {
    await clients.autoscaling.send(
      new DetachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: group,
        TargetGroupARNs: lbs.targetGroupArns,
      }),
    );
  }
}

/**
 * kops' own API network load balancer with an ACM certificate (kops 1.19+, `class: Network` and
 * `sslCertificate`; tests/integration/update_cluster/complex): tagged like kops tags it, a TLS:443
 * listener with the certificate and a TCP:8443 one, each to its own TCP:443 target group, both
 * target groups attached to the control-plane groups. Returns the load balancer's name.
 */
export async function createKopsApiNlb(
  clients: AwsClients,
  where: { cluster: string; vpcId: string; subnetIds: string[]; groups: string[]; certificateArn: string },
): Promise<string> {
  const c = where.cluster;
  const name = `api-${c.replace(/\./g, '-')}`.slice(0, 25);
  const nlb = await clients.elbv2.send(
    new CreateNlbCommand({
      Name: name,
      Type: 'network',
      Scheme: 'internet-facing',
      Subnets: where.subnetIds,
      Tags: [
        { Key: 'KubernetesCluster', Value: c },
        { Key: 'Name', Value: `api.${c}` },
        { Key: `kubernetes.io/cluster/${c}`, Value: 'owned' },
      ],
    }),
  );
  const LoadBalancerArn = nlb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  for (const [prefix, port, tls] of [
    ['tls', 443, true],
    ['tcp', 8443, false],
  ] as const) {
    const tg = await clients.elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${prefix}-${name}`.slice(0, 32),
        Protocol: tls ? 'TLS' : 'TCP',
        Port: 443,
        VpcId: where.vpcId,
        TargetType: 'instance',
      }),
    );
    const TargetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
    await clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn,
        Protocol: tls ? 'TLS' : 'TCP',
        Port: port,
        ...(tls ? { Certificates: [{ CertificateArn: where.certificateArn }] } : {}),
        DefaultActions: [{ Type: 'forward', TargetGroupArn }],
      }),
    );
    for (const group of where.groups) {
      await clients.autoscaling.send(
        new AttachLoadBalancerTargetGroupsCommand({
          AutoScalingGroupName: group,
          TargetGroupARNs: [TargetGroupArn],
        }),
      );
    }
  }
  return name;
}
