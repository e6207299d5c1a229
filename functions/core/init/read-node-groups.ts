import { type AutoScalingGroup, DescribeLaunchConfigurationsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { errorMessage } from '../aws/errors.ts';
import type { NodeGroupFact, Tags } from './facts.ts';
import { type InitClients, isGone } from './reads.ts';

/** A node group as `init` reads it: its subnets and the security groups of its launch template (or configuration). */

export function subnetsOf(group: AutoScalingGroup): string[] {
  return (group.VPCZoneIdentifier ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function isNodeGroup(tags: Tags): boolean {
  const role = tags['k8s.io/role/node'];
  return role !== undefined && role !== '0' && role !== 'false';
}

/** A group's launch template (direct or through a mixed instances policy), if it has one. */
function templateOf(group: AutoScalingGroup) {
  return group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
}

export async function nodeGroupFact(clients: InitClients, group: AutoScalingGroup): Promise<NodeGroupFact> {
  const base = { name: group.AutoScalingGroupName ?? '', subnetIds: subnetsOf(group) };
  const template = templateOf(group);
  try {
    if (template) {
      const version = template.Version ?? '$Default';
      const label = `launch template ${template.LaunchTemplateName ?? template.LaunchTemplateId} version ${version}`;
      const res = await clients.ec2.send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(template.LaunchTemplateId
            ? { LaunchTemplateId: template.LaunchTemplateId }
            : { LaunchTemplateName: template.LaunchTemplateName }),
          Versions: [version],
        }),
      );
      const data = res.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      const ids = [
        ...(data?.SecurityGroupIds ?? []),
        ...(data?.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? []),
      ];
      return {
        ...base,
        securityGroupIds: [...new Set(ids)],
        securityGroupSource: label,
        ...(ids.length ? {} : { securityGroupProblem: `${label} names no security group` }),
      };
    }
    if (group.LaunchConfigurationName) {
      const label = `launch configuration ${group.LaunchConfigurationName}`;
      const res = await clients.autoscaling.send(
        new DescribeLaunchConfigurationsCommand({
          LaunchConfigurationNames: [group.LaunchConfigurationName],
        }),
      );
      const ids = (res.LaunchConfigurations?.[0]?.SecurityGroups ?? []).filter((s) => s.startsWith('sg-'));
      return {
        ...base,
        securityGroupIds: ids,
        securityGroupSource: label,
        ...(ids.length ? {} : { securityGroupProblem: `${label} names no security group id` }),
      };
    }
    return {
      ...base,
      securityGroupIds: [],
      securityGroupSource: '',
      securityGroupProblem: 'no launch template',
    };
  } catch (err) {
    if (!isGone(err)) throw err;
    return {
      ...base,
      securityGroupIds: [],
      securityGroupSource: '',
      securityGroupProblem: errorMessage(err),
    };
  }
}
