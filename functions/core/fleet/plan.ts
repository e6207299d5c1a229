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
  /**
   * Without a hub: its AWS Chatbot channel configuration's name, unique in the account (a Chatbot
   * configuration's ARN has no region): `<stackName>-alerts` for the first member listed in the
   * account (the single stack's name), `<stackName>-<region>-<vpc>-alerts` for any other.
   */
  readonly chatbotName: string;
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

/** A Chatbot configuration name is at most 128 characters: a longer one keeps a hash of the whole. */
const CHATBOT_NAME_MAX = 128;
function chatbotNameOf(name: string): string {
  return name.length <= CHATBOT_NAME_MAX
    ? name
    : `${name.slice(0, CHATBOT_NAME_MAX - 11)}-${shortHash(name)}`;
}

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
  const firstInAccount = new Map<string, string>();
  const members = groups.map((g): MemberPlan => {
    const where = `${g.account}/${g.region}`;
    if (!firstVpc.has(where)) firstVpc.set(where, g.vpcId);
    if (!firstInAccount.has(g.account)) firstInAccount.set(g.account, `${where}/${g.vpcId}`);
    const firstOfAccount = firstInAccount.get(g.account) === `${where}/${g.vpcId}`;
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
      chatbotName: firstOfAccount
        ? `${config.stackName}-alerts`.slice(0, CHATBOT_NAME_MAX) // the single stack's, as always
        : chatbotNameOf(`${config.stackName}-${g.region}-${g.vpcId}-alerts`),
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
