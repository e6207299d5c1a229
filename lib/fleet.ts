import type { App } from 'aws-cdk-lib';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { memberConfig, planFleet } from '../functions/core/fleet/plan.ts';
import { HubStack } from './hub-stack.ts';
import { SentinelStack } from './sentinel-stack.ts';

export interface Fleet {
  readonly members: readonly SentinelStack[];
  readonly hub?: HubStack;
}

const MEMBER_DESCRIPTION =
  'kops-api-sentinel: keeps the internal kops API load balancer attached, registered and trusted by kubelet';
const HUB_DESCRIPTION = "kops-api-sentinel: the fleet's alert hub (reports in, alerts out)";

/**
 * The stacks of a config (planFleet): one member per account, region and VPC, each with its own
 * account and region, and the hub when `alerts.hub` names one. Every member depends on the hub,
 * so `cdk deploy --all` creates the hub's bus before any member forwards to it.
 */
export function addFleet(app: App, config: SentinelConfig): Fleet {
  const plan = planFleet(config);
  const hubPlan = plan.hub;
  const hub = hubPlan
    ? new HubStack(app, hubPlan.id, {
        stackName: hubPlan.stackName,
        env: { account: hubPlan.account, region: hubPlan.region },
        description: HUB_DESCRIPTION,
        config,
        hub: hubPlan,
        members: plan.members,
      })
    : undefined;
  const members = plan.members.map((member) => {
    const stack = new SentinelStack(app, member.id, {
      stackName: member.stackName,
      config: memberConfig(config, member),
      env: { account: member.account, region: member.region },
      description: MEMBER_DESCRIPTION,
      chatbotName: member.chatbotName,
      ...(hubPlan ? { fleet: { member, hub: hubPlan } } : {}),
    });
    if (hub) stack.addStackDependency(hub, "the member's forwarding rule targets the hub's bus");
    return stack;
  });
  return { members, ...(hub ? { hub } : {}) };
}
