import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../functions/core/config/load.ts';
import type { SentinelConfig, SentinelConfigInput } from '../../functions/core/config/schema.ts';
import { type FleetPlan, planFleet } from '../../functions/core/fleet/plan.ts';
import { addFleet, type Fleet } from '../../lib/fleet.ts';
import { SLACK_SECRET } from './helpers.ts';

export const HUB_ACCOUNT = '999988887777';
export const HUB_REGION = 'eu-central-1';
export const MEMBER_ACCOUNTS = ['111111111111', '222222222222'] as const;
export const MEMBER_REGIONS = ['eu-west-1', 'us-east-1'] as const;
export const ORG_ID = 'o-a1b2c3d4e5';

type ClusterInput = SentinelConfigInput['clusters'][number];

/** One cluster in an account, region and VPC, behind one target group there. */
export function fleetCluster(name: string, account: string, region: string, vpc: number): ClusterInput {
  const hex = vpc.toString(16).padStart(2, '0');
  return {
    name,
    account,
    region,
    vpcId: `vpc-0${hex}3456789abcdef0`,
    nodeSubnetIds: [`subnet-0${hex}aaaaaaaaaaaaa1`, `subnet-0${hex}aaaaaaaaaaaaa2`],
    nodeSecurityGroupId: `sg-0${hex}aaaaaaaaaaaaa1`,
    loadBalancers: {
      targetGroupArns: [
        `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${name.split('.')[0]}-api/0123456789abcdef`,
      ],
    },
    ca: { source: 'ssm', parameterName: `/kops-api-sentinel/${name}/ca-bundle` },
  };
}

/**
 * `perMember` clusters in each of `accounts` × `regions` (one VPC each), and a hub in another
 * account with Slack by webhook and e-mail.
 */
export function fleetInput(
  options: {
    accounts?: readonly string[];
    regions?: readonly string[];
    perMember?: number;
    organizationId?: string;
    hub?: boolean;
  } = {},
): SentinelConfigInput {
  const accounts = options.accounts ?? MEMBER_ACCOUNTS;
  const regions = options.regions ?? MEMBER_REGIONS;
  const perMember = options.perMember ?? 1;
  const clusters: ClusterInput[] = [];
  let vpc = 0;
  for (const account of accounts) {
    for (const region of regions) {
      vpc += 1;
      for (let i = 0; i < perMember; i += 1) {
        clusters.push(fleetCluster(`c${vpc}-${i}.${region}.k8s.example.com`, account, region, vpc));
      }
    }
  }
  return {
    clusters,
    alerts: {
      slack: { kind: 'webhook', secretName: SLACK_SECRET },
      email: ['oncall@example.com'],
      ...(options.hub === false
        ? {}
        : {
            hub: {
              account: HUB_ACCOUNT,
              region: HUB_REGION,
              ...(options.organizationId ? { organizationId: options.organizationId } : {}),
            },
          }),
    },
    verifier: { scheduleMinutes: 10 },
  };
}

export interface SynthesizedFleet {
  config: SentinelConfig;
  plan: FleetPlan;
  fleet: Fleet;
  app: App;
  /** Templates by construct id (members and hub). */
  templates: Map<string, Template>;
}

/** The app's stacks for a config, without bundling (as bin/app.ts builds them). */
export function synthFleet(input: SentinelConfigInput): SynthesizedFleet {
  const config = parseConfig(input, 'test config');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const fleet = addFleet(app, config);
  const templates = new Map<string, Template>();
  for (const stack of [...(fleet.hub ? [fleet.hub] : []), ...fleet.members]) {
    templates.set(stack.node.id, Template.fromStack(stack));
  }
  return { config, plan: planFleet(config), fleet, app, templates };
}

const shared = new Map<string, SynthesizedFleet>();

/** The 2 accounts × 2 regions fleet with a hub (or its organization variant), once per test worker. Read only. */
export function sharedFleet(kind: 'accounts' | 'organization' = 'accounts'): SynthesizedFleet {
  let s = shared.get(kind);
  if (!s) {
    s = synthFleet(fleetInput(kind === 'organization' ? { organizationId: ORG_ID } : {}));
    shared.set(kind, s);
  }
  return s;
}

/** The one template of a fleet whose construct id matches. */
export function templateOf(s: SynthesizedFleet, id: string): Template {
  const t = s.templates.get(id);
  if (!t) throw new Error(`no stack ${id}; stacks: ${[...s.templates.keys()].join(', ')}`);
  return t;
}
