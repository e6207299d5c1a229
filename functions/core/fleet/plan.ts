import { createHash } from 'node:crypto';
import { partitionOf } from '../aws/partition.ts';
import { type ClusterConfig, groupByMember, type SentinelConfig } from '../config/schema.ts';

export { partitionOf };

/**
 * A fleet from one config: which stacks the CDK app synthesizes, and the names that tie them
 * together. Pure and derived from the config only, so the app, the functions, the CLI and the tests
 * agree on every name without reading each other's stacks. Decisions in docs/fleet.md.
 */

/** The hub's event bus: members' forwarding rules target it by ARN, so its name is fixed. */
export const HUB_BUS_NAME = 'kops-api-sentinel-hub';

/** One member: the clusters of one account, region and VPC, deployed as one stack there. */
export interface MemberPlan {
  /** The construct id (`cdk deploy <id>`). */
  readonly id: string;
  /** The CloudFormation stack name in the member's account and region. */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly vpcId: string;
  readonly clusters: readonly ClusterConfig[];
  /** With a hub: the member's own bus its functions report to (only they may put events on it). */
  readonly reportBusName: string;
  /** With a hub: the role EventBridge assumes to forward the member's reports to the hub's bus. */
  readonly forwardRoleName: string;
}

/** The hub: the alert table, topic, Slack and alarms of the whole fleet. */
export interface HubPlan {
  readonly id: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly busName: string;
  readonly busArn: string;
  /** The accounts admitted on the hub's bus (without an organization id). */
  readonly memberAccounts: readonly string[];
  readonly organizationId?: string;
}

export interface FleetPlan {
  readonly members: readonly MemberPlan[];
  readonly hub?: HubPlan;
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 10);

/**
 * Names. A config with one member and no hub is today's single stack: id and name `stackName`.
 * Otherwise each member's construct id names its account, region and VPC; its CloudFormation name
 * is `stackName` for the first VPC listed in its account and region and `stackName-<vpc>` for any
 * other, so adding clusters elsewhere never renames a deployed stack.
 */
export function planFleet(config: SentinelConfig): FleetPlan {
  const groups = groupByMember(config.clusters);
  const hubConfig = config.alerts.hub;
  const single = groups.length === 1 && !hubConfig;
  const firstVpc = new Map<string, string>();
  const members = groups.map((g): MemberPlan => {
    const where = `${g.account}/${g.region}`;
    if (!firstVpc.has(where)) firstVpc.set(where, g.vpcId);
    const stackName = firstVpc.get(where) === g.vpcId ? config.stackName : `${config.stackName}-${g.vpcId}`;
    return {
      id: single ? config.stackName : `${config.stackName}-${g.account}-${g.region}-${g.vpcId}`,
      stackName,
      account: g.account,
      region: g.region,
      vpcId: g.vpcId,
      clusters: g.clusters,
      reportBusName: `${stackName}-reports`,
      // IAM role names are global to the account and at most 64 characters
      forwardRoleName: `kops-api-sentinel-to-hub-${g.region}-${shortHash(stackName)}`,
    };
  });
  if (!hubConfig) return { members };
  const partition = partitionOf(hubConfig.region);
  return {
    members,
    hub: {
      id: `${config.stackName}-Hub`,
      stackName: `${config.stackName}-Hub`,
      account: hubConfig.account,
      region: hubConfig.region,
      busName: HUB_BUS_NAME,
      busArn: `arn:${partition}:events:${hubConfig.region}:${hubConfig.account}:event-bus/${HUB_BUS_NAME}`,
      memberAccounts: [...new Set(groups.map((g) => g.account))],
      ...(hubConfig.organizationId ? { organizationId: hubConfig.organizationId } : {}),
    },
  };
}

/** The config compiled into a member's functions: its own clusters only. */
export function memberConfig(config: SentinelConfig, member: MemberPlan): SentinelConfig {
  return { ...config, clusters: [...member.clusters] };
}
