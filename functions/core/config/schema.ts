import * as z from 'zod';
import { ACCOUNT_ID, CLASSIC_ELB_NAME, REGION, TARGET_GROUP_ARN } from '../aws/names.ts';
import { partitionOf } from '../aws/partition.ts';
import { GO_VERSION_RULES } from '../tls/go-rules.ts';

const CLUSTER_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const NETWORK_LOAD_BALANCER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/net\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;

/** Strings that end up in IAM policy ARNs: `*` and `?` there would widen the grant. */
const NO_IAM_WILDCARDS = /^[^*?]*$/;
const NO_IAM_WILDCARDS_MESSAGE = 'no * or ? (the value becomes part of an IAM policy ARN)';

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

/** An IAM role ARN (paths allowed); the account is captured to check it against the cluster's. */
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** A profile of the shared AWS config files (~/.aws/config), as the AWS CLI accepts it. */
const PROFILE_NAME = /^[A-Za-z0-9_.+@=,:/-]{1,128}$/;

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

export const ClassicHealthCheckSchema = z
  .object({
    target: z
      .string()
      .regex(/^(TCP|SSL):\d+$|^(HTTP|HTTPS):\d+\/.*$/, 'a target like SSL:443, TCP:443 or HTTP:3990/healthz')
      .default('SSL:443'),
    interval: seconds(5, 300).default(10),
    timeout: seconds(2, 60).default(5),
    healthyThreshold: z.number().int().min(2).max(10).default(2),
    unhealthyThreshold: z.number().int().min(2).max(10).default(2),
  })
  .strict();

export const TargetGroupHealthCheckSchema = z
  .object({
    protocol: z.enum(['TCP', 'HTTP', 'HTTPS']).default('TCP'),
    port: z.union([z.literal('traffic-port'), z.string().regex(/^\d+$/)]).default('traffic-port'),
    path: z.string().startsWith('/').optional(),
    interval: seconds(5, 300).default(10),
    healthyThreshold: z.number().int().min(2).max(10).default(2),
    unhealthyThreshold: z.number().int().min(2).max(10).default(2),
  })
  .strict();

/** A kops state store: flows into IAM ARNs and an s3:prefix condition, so no wildcards. */
const StateStoreUrl = z
  .string()
  .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'an s3://bucket[/prefix] URL')
  .regex(NO_IAM_WILDCARDS, NO_IAM_WILDCARDS_MESSAGE);

export const CaSourceSchema = z.discriminatedUnion('source', [
  z
    .object({
      source: z.literal('ssm'),
      parameterName: z.string().startsWith('/').regex(NO_IAM_WILDCARDS, NO_IAM_WILDCARDS_MESSAGE),
    })
    .strict(),
  z
    .object({
      source: z.literal('inline'),
      pem: z
        .string()
        .includes('-----BEGIN CERTIFICATE-----')
        // the config is compiled into the functions: a key there would ship with them
        .refine((pem) => !/PRIVATE KEY-----/.test(pem), 'CA certificates only, no private key'),
    })
    .strict(),
  z
    .object({
      source: z.literal('state-store'),
      stateStore: StateStoreUrl,
      /** The customer-managed KMS key of the state store's objects, when SSE-KMS is on: granted kms:Decrypt via S3 only. */
      kmsKeyArn: z
        .string()
        .regex(KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), no * or ?')
        .optional(),
    })
    .strict(),
]);

export const ClusterSchema = z
  .object({
    name: z.string().regex(CLUSTER_NAME, 'a kops cluster name (a DNS name such as k8s.example.com)'),
    account: z.string().regex(ACCOUNT_ID, 'a 12-digit AWS account id'),
    region: z.string().regex(REGION, 'an AWS region such as eu-west-1'),
    /** The CLI assumes this role (STS, session kops-api-sentinel-<user>) to reach the cluster's account. */
    cliRoleArn: z
      .string()
      .regex(IAM_ROLE_ARN, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)')
      .optional(),
    /** The CLI uses this profile of the shared AWS config files for the cluster's account. */
    profile: z.string().regex(PROFILE_NAME, 'a profile name of ~/.aws/config').optional(),
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id (vpc-…)'),
    nodeSubnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id (subnet-…)'))
      .min(1, 'at least one node subnet id'),
    nodeSecurityGroupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'a security group id (sg-…)'),
    loadBalancers: z
      .object({
        classic: z
          .array(z.string().regex(CLASSIC_ELB_NAME, 'a classic ELB name (1-32 letters, digits, hyphens)'))
          .default([]),
        targetGroupArns: z.array(z.string().regex(TARGET_GROUP_ARN, 'a target group ARN')).default([]),
        /** The network load balancers of those target groups: only their listener changes wake the verifier. */
        networkLoadBalancerArns: z
          .array(z.string().regex(NETWORK_LOAD_BALANCER_ARN, 'a network load balancer ARN'))
          .optional(),
      })
      .strict()
      .refine((lb) => lb.classic.length + lb.targetGroupArns.length > 0, {
        message: 'at least one classic ELB name or target group ARN',
      })
      .refine((lb) => lb.classic.length + lb.targetGroupArns.length <= 10, {
        message: 'at most 10 load balancers (the kops externalLoadBalancers limit)',
      }),
    api: z
      .object({
        hostname: z.string().min(1).optional(),
        /** The port nodes dial on the load balancer. */
        port: z.number().int().min(1).max(65535).default(443),
        /** The port nodes dial on `hostname` (kops: 443, also when the load balancer listens on 8443). */
        hostnamePort: z.number().int().min(1).max(65535).default(443),
        /** The port the apiserver listens on, on the control-plane instances (kops: 443). */
        instancePort: z.number().int().min(1).max(65535).default(443),
        /** Probe the API hostname itself as resolved from the node subnets (default: yes, except gossip clusters). */
        probeHostname: z.boolean().optional(),
      })
      .strict()
      .default({ port: 443, hostnamePort: 443, instancePort: 443 }),
    mode: z.enum(['repair', 'report-only']).default('repair'),
    ca: CaSourceSchema.optional(),
    /** The cluster's kops state store, read for the cluster and instance group specs (never `pki/`). */
    kops: z
      .object({
        stateStore: StateStoreUrl,
        /** The customer-managed KMS key of the state store's objects, when SSE-KMS is on: granted kms:Decrypt via S3 only. */
        kmsKeyArn: z
          .string()
          .regex(KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), no * or ?')
          .optional(),
      })
      .strict()
      .optional(),
    healthCheck: z
      .object({
        classic: ClassicHealthCheckSchema.default(ClassicHealthCheckSchema.parse({})),
        targetGroup: TargetGroupHealthCheckSchema.default(TargetGroupHealthCheckSchema.parse({})),
      })
      .strict()
      .default({
        classic: ClassicHealthCheckSchema.parse({}),
        targetGroup: TargetGroupHealthCheckSchema.parse({}),
      }),
    tls: z
      .object({
        timeoutSeconds: z.number().min(0.1).max(60).default(5),
        expiryWarningDays: z.number().int().min(0).max(365).default(30),
        goVersionRules: z
          .string()
          .regex(GO_VERSION_RULES, 'must be "current" or a Go release such as "1.23"')
          .default('current'),
      })
      .strict()
      .default({ timeoutSeconds: 5, expiryWarningDays: 30, goVersionRules: 'current' }),
  })
  .strict();

export const SlackSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('webhook'),
      secretName: z.string().min(1).regex(NO_IAM_WILDCARDS, NO_IAM_WILDCARDS_MESSAGE),
    })
    .strict(),
  z
    .object({
      kind: z.literal('chatbot'),
      workspaceId: z.string().regex(/^[A-Z0-9]{9,11}$/, 'a Slack workspace (team) id such as T0123ABCD'),
      channelId: z.string().regex(/^[A-Z0-9]{9,11}$/, 'a Slack channel id such as C0123ABCD'),
    })
    .strict(),
]);

/** Where a fleet's alerts are decided: one account and region that every member reports to. */
export const HubSchema = z
  .object({
    account: z.string().regex(ACCOUNT_ID, 'a 12-digit AWS account id'),
    region: z.string().regex(REGION, 'an AWS region such as eu-west-1'),
    /** Admit every account of this AWS Organization on the hub's bus, instead of the members' accounts. */
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/, 'an AWS Organizations id (o-…)')
      .optional(),
  })
  .strict();

export const AlertsSchema = z
  .object({
    reminderHours: z.number().min(0.25).max(168).default(6),
    resolveAfterPasses: z.number().int().min(1).max(10).default(2),
    // two runs in a row: drift the registrar repairs, or sees while the verifier runs, never pages
    fireAfterFailures: z.number().int().min(1).max(10).default(2),
    slack: SlackSchema.optional(),
    /** Where docs/runbook.md is published (e.g. the repository's URL of the docs folder); links in alerts are relative without it. */
    runbookBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
    email: z.array(z.email()).default([]),
    /** A fleet's one alert hub: members report their findings there, and only the hub alerts. */
    hub: HubSchema.optional(),
  })
  .strict();

export const VerifierSchema = z
  .object({
    // the staleness alarm watches two periods; CloudWatch evaluates at most one day
    scheduleMinutes: z.number().int().min(1).max(720).default(5),
    newInstanceDeadlineMinutes: z.number().int().min(1).max(120).default(15),
    followUpDelaySeconds: z.number().int().min(0).max(900).default(60),
    /** Run the verifier in its own security group (egress to the API ports and HTTPS only) instead of the node groups. */
    dedicatedSecurityGroup: z.boolean().default(false),
    /**
     * The verifier may reach IPv6 addresses (dual-stack node subnets): AAAA addresses and IPv6-only
     * instances are probed. Off: only IPv4 is probed, and what has only IPv6 is reported, not dialled.
     */
    ipv6: z.boolean().default(false),
  })
  .strict();

export const SentinelConfigSchema = z
  .object({
    clusters: z.array(ClusterSchema).min(1, 'at least one cluster'),
    /** The CloudFormation stack name; in a fleet, the stem of every stack's name (docs/fleet.md). */
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a CloudFormation stack name (letters, digits, hyphens)')
      .default('KopsApiSentinel'),
    lifecycleHookPrefix: z.string().min(1).default('kops-api-sentinel'),
    alerts: AlertsSchema.default(AlertsSchema.parse({})),
    verifier: VerifierSchema.default(VerifierSchema.parse({})),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.clusters.forEach((c, i) => {
      if (seen.has(c.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'name'],
          message: 'a cluster name not already listed',
        });
      }
      seen.add(c.name);
      if (c.cliRoleArn && c.profile) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'profile'],
          message: 'either cliRoleArn or profile, not both (the CLI reaches the account one way)',
        });
      }
      const roleAccount = c.cliRoleArn ? IAM_ROLE_ARN.exec(c.cliRoleArn)?.[1] : undefined;
      if (roleAccount && roleAccount !== c.account) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'cliRoleArn'],
          message: `a role in the cluster's account ${c.account} (the ARN names ${roleAccount})`,
        });
      }
    });
    // With a hub, a member's own alarms (function errors, dead-letter queues) go to a member-local
    // topic that only e-mail can take: CloudWatch alarm actions cannot publish to another account's
    // topic, so neither the hub nor its Slack can receive them. Without an address they reach nobody.
    if (cfg.alerts.hub && cfg.alerts.email.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['alerts', 'email'],
        message:
          "at least one address with alerts.hub: each member's own alarms (function errors, dead-letter queues) are e-mailed from the member's account; alarms cannot reach the hub's topic or Slack across accounts",
      });
    }
    // A member forwards its reports to the hub's bus by ARN: EventBridge cannot target a bus in
    // another partition.
    const hubPartition = cfg.alerts.hub ? partitionOf(cfg.alerts.hub.region) : undefined;
    cfg.clusters.forEach((c, i) => {
      const partition = partitionOf(c.region);
      if (hubPartition && partition !== hubPartition) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'region'],
          message: `a region in the hub's partition ${hubPartition} (alerts.hub.region ${cfg.alerts.hub?.region}; ${c.region} is in ${partition}, and EventBridge cannot forward reports across partitions)`,
        });
      }
    });
    // One member stack per account, region and VPC: its verifier is one function in one VPC, and
    // Lambda takes at most 16 subnets and 5 security groups.
    for (const member of groupByMember(cfg.clusters)) {
      const subnets = new Set(member.clusters.flatMap((c) => c.nodeSubnetIds));
      const groups = new Set(member.clusters.map((c) => c.nodeSecurityGroupId));
      const where = `${member.account}/${member.region}/${member.vpcId}`;
      if (subnets.size > 16) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', member.indexes[0] ?? 0, 'nodeSubnetIds'],
          message: `at most 16 distinct nodeSubnetIds over the clusters of ${where} (found ${subnets.size}; a Lambda function's limit)`,
        });
      }
      if (groups.size > 5) {
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', member.indexes[0] ?? 0, 'nodeSecurityGroupId'],
          message: `at most 5 distinct nodeSecurityGroupIds over the clusters of ${where} (found ${groups.size}; a Lambda function's limit)`,
        });
      }
    }
  });

/** The clusters of one member (account, region, VPC), in config order, with their indexes. */
export function groupByMember<C extends { account: string; region: string; vpcId: string }>(
  clusters: readonly C[],
): { account: string; region: string; vpcId: string; clusters: C[]; indexes: number[] }[] {
  const members = new Map<
    string,
    { account: string; region: string; vpcId: string; clusters: C[]; indexes: number[] }
  >();
  clusters.forEach((c, i) => {
    const key = `${c.account}/${c.region}/${c.vpcId}`;
    const member = members.get(key) ?? {
      account: c.account,
      region: c.region,
      vpcId: c.vpcId,
      clusters: [],
      indexes: [],
    };
    member.clusters.push(c);
    member.indexes.push(i);
    members.set(key, member);
  });
  return [...members.values()];
}

export type SentinelConfigInput = z.input<typeof SentinelConfigSchema>;
type ParsedConfig = z.output<typeof SentinelConfigSchema>;
export type ParsedCluster = ParsedConfig['clusters'][number];

/** A cluster as the core uses it: defaults applied, the API hostname resolved. */
export type ClusterConfig = Omit<ParsedCluster, 'api' | 'ca'> & {
  api: { hostname: string; port: number; hostnamePort: number; instancePort: number; probeHostname: boolean };
  ca: CaSource;
};
export type SentinelConfig = Omit<ParsedConfig, 'clusters'> & { clusters: ClusterConfig[] };
export type CaSource = z.output<typeof CaSourceSchema>;
export type ClassicHealthCheck = z.output<typeof ClassicHealthCheckSchema>;
export type TargetGroupHealthCheck = z.output<typeof TargetGroupHealthCheckSchema>;
export type AlertsConfig = z.output<typeof AlertsSchema>;
