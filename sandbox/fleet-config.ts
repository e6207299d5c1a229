import type { SentinelConfigInput } from '../functions/core/config/schema.ts';

/**
 * Fleet configs for the infra tests and the synth benchmark: clusters spread over accounts,
 * regions and VPCs, with or without a hub. Config only; nothing here talks to AWS or moto.
 */

/** The Slack webhook secret's name in the hub's (or a member's) account. */
export const FLEET_SLACK_SECRET = 'kops-api-sentinel/slack-webhook';

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
      slack: { kind: 'webhook', secretName: FLEET_SLACK_SECRET },
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
