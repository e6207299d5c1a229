import { Annotations, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConfigError } from '../../functions/core/config/load.ts';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';

/**
 * Where the verifier runs: the node subnets with the node security group, so its TLS handshakes
 * start where kubelet's do (or, with `verifier.dedicatedSecurityGroup`, a group of its own that
 * may only reach the API ports and HTTPS, over IPv6 too with `verifier.ipv6`). Everything comes from ids in the config; nothing is looked up, so the
 * stack synthesizes with no credentials. The subnets need a NAT gateway or VPC endpoints
 * (autoscaling, elasticloadbalancing, ec2, sns, dynamodb, events, sqs, ssm/s3) to reach the AWS APIs.
 *
 * A Lambda function lives in one VPC, so every configured cluster must share it; the function gets
 * the union of the clusters' node subnets and every cluster's node security group.
 */
export class VerifierPlacement extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroups: ec2.ISecurityGroup[];
  /** The verifier's own group, when `verifier.dedicatedSecurityGroup` asks for it. */
  readonly dedicatedSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, config: SentinelConfig) {
    super(scope, id);
    // The config schema has already checked one VPC, at most 16 subnets and 5 security groups.
    const [first] = config.clusters;
    if (!first) throw new ConfigError('config', ['clusters: found []; expected at least one cluster']);
    const subnetIds = unique(config.clusters.flatMap((c) => c.nodeSubnetIds));
    const groupIds = unique(config.clusters.map((c) => c.nodeSecurityGroupId));

    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: first.vpcId,
      // The zones are never used: Lambda takes the explicitly selected subnets as they are. A token
      // (rendered only if referenced, which nothing does) keeps the import honest and lookup-free.
      availabilityZones: Fn.getAzs(),
    });
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      'only explicitly selected subnets are used; no construct reads the zones',
    );

    this.subnets = subnetIds.map((subnetId) => {
      const subnet = ec2.Subnet.fromSubnetId(this, `Subnet-${subnetId}`, subnetId);
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'Lambda needs only the subnet id; no route table is read or changed',
      );
      return subnet;
    });

    if (config.verifier.dedicatedSecurityGroup) {
      // no ingress; egress to the API ports only, and HTTPS (443) for the AWS APIs
      const group = new ec2.SecurityGroup(this, 'VerifierSecurityGroup', {
        vpc: this.vpc,
        description: 'kops-api-sentinel verifier: egress to the Kubernetes API ports and HTTPS only',
        allowAllOutbound: false,
      });
      const ports = unique([
        443,
        ...config.clusters.flatMap((c) => [c.api.port, c.api.hostnamePort, c.api.instancePort]),
      ]);
      // verifier.ipv6: the same ports over IPv6 (AAAA addresses, IPv6-only instances)
      const peers = config.verifier.ipv6 ? [ec2.Peer.anyIpv4(), ec2.Peer.anyIpv6()] : [ec2.Peer.anyIpv4()];
      for (const peer of peers) {
        for (const port of ports.sort((a, b) => a - b)) {
          group.addEgressRule(
            peer,
            ec2.Port.tcp(port),
            port === 443 ? 'the API on 443 and the AWS APIs over HTTPS' : 'the Kubernetes API',
          );
        }
      }
      this.dedicatedSecurityGroup = group;
      this.securityGroups = [group];
      return;
    }
    this.securityGroups = groupIds.map((groupId) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, `NodeSecurityGroup-${groupId}`, groupId, {
        mutable: false,
        allowAllOutbound: true,
      }),
    );
  }

  get vpcSubnets(): ec2.SubnetSelection {
    return { subnets: this.subnets };
  }
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
