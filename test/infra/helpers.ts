import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../functions/core/config/load.ts';
import type { SentinelConfig, SentinelConfigInput } from '../../functions/core/config/schema.ts';
import { SentinelStack } from '../../lib/sentinel-stack.ts';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const VPC_ID = 'vpc-0123456789abcdef0';

export const PROD = 'prod.k8s.example.com';
export const LEGACY = 'legacy.k8s.example.com';

export const PROD_TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/prod-api-tcp/0123456789abcdef`;
export const LEGACY_TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/legacy-api-tcp/fedcba9876543210`;
export const PROD_NLB = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/prod-api-nlb/0123456789abcdef`;
export const SLACK_SECRET = 'kops-api-sentinel/slack-webhook';

/**
 * Two clusters in one VPC: `prod` behind a classic ELB and a target group with its CA in SSM,
 * `legacy` behind a target group with its CA read from a prefixed kops state store.
 */
export function twoClusterInput(): SentinelConfigInput {
  return {
    clusters: [
      {
        name: PROD,
        account: ACCOUNT,
        region: REGION,
        vpcId: VPC_ID,
        nodeSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
        nodeSecurityGroupId: 'sg-0aaaaaaaaaaaaaaa1',
        loadBalancers: {
          classic: ['prod-api-internal'],
          targetGroupArns: [PROD_TG],
          networkLoadBalancerArns: [PROD_NLB],
        },
        ca: { source: 'ssm', parameterName: `/kops-api-sentinel/${PROD}/ca-bundle` },
      },
      {
        name: LEGACY,
        account: ACCOUNT,
        region: REGION,
        vpcId: VPC_ID,
        nodeSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0aaaaaaaaaaaaaaa2'],
        nodeSecurityGroupId: 'sg-0bbbbbbbbbbbbbbb1',
        loadBalancers: { targetGroupArns: [LEGACY_TG] },
        mode: 'report-only',
        ca: { source: 'state-store', stateStore: 's3://kops-state-store/clusters/' },
      },
    ],
    alerts: {
      slack: { kind: 'webhook', secretName: SLACK_SECRET },
      email: ['oncall@example.com', 'platform@example.com'],
    },
    verifier: { scheduleMinutes: 10 },
  };
}

export function chatbotInput(): SentinelConfigInput {
  const input = twoClusterInput();
  return {
    ...input,
    clusters: [input.clusters[0] as SentinelConfigInput['clusters'][number]],
    alerts: { slack: { kind: 'chatbot', workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' } },
  };
}

export interface Synthesized {
  config: SentinelConfig;
  stack: SentinelStack;
  template: Template;
  /** The cloud assembly directory (bundled assets live here when bundling is on). */
  outdir: string;
}

/**
 * Synthesizes the stack for a config. `bundle: false` skips esbuild (for tests that only read the
 * template); with bundling on, the functions are built by the local esbuild, as `cdk synth` does.
 */
export function synth(input: SentinelConfigInput, options: { bundle?: boolean } = {}): Synthesized {
  const config = parseConfig(input, 'test config');
  const app = new App({
    context: options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {},
  });
  const stack = new SentinelStack(app, 'KopsApiSentinel', {
    config,
    env: { account: ACCOUNT, region: REGION },
  });
  const template = Template.fromStack(stack);
  return { config, stack, template, outdir: app.outdir };
}

const shared = new Map<string, Synthesized>();

/**
 * The stack of one of the shared test configs, without bundling, synthesized once per test worker
 * (the 'shared' project keeps one process per worker): the files that only read its template use
 * this instead of synthesizing the same stack again each. Read it, never change it (no aspects,
 * no new constructs); a test that needs its own stack calls synth().
 */
export function sharedSynth(kind: 'two-clusters' | 'chatbot'): Synthesized {
  let s = shared.get(kind);
  if (!s) {
    s = synth(kind === 'chatbot' ? chatbotInput() : twoClusterInput(), { bundle: false });
    shared.set(kind, s);
  }
  return s;
}

type Json = unknown;

/** Renders a CloudFormation value as a string: Fn::Join flattened, Ref/GetAtt as `${...}`. */
export function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, Json>;
    if ('Fn::Join' in obj) {
      const [sep, parts] = obj['Fn::Join'] as [string, Json[]];
      return parts.map(render).join(sep);
    }
    if ('Ref' in obj) return `\${${String(obj.Ref)}}`;
    if ('Fn::GetAtt' in obj) return `\${${(obj['Fn::GetAtt'] as string[]).join('.')}}`;
  }
  return JSON.stringify(value);
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value];
}

export interface Statement {
  policy: string;
  Sid?: string;
  Effect: string;
  actions: string[];
  resources: string[];
  Condition?: Record<string, Record<string, Json>>;
}

/** Every identity-policy statement in the template (AWS::IAM::Policy, managed policies, role inline policies). */
export function identityStatements(template: Template): Statement[] {
  const out: Statement[] = [];
  const add = (policy: string, doc: { Statement: Record<string, Json>[] }) => {
    for (const s of doc.Statement) {
      out.push({
        policy,
        Sid: s.Sid as string | undefined,
        Effect: s.Effect as string,
        actions: asArray(s.Action as string | string[]),
        resources: asArray(s.Resource as Json | Json[]).map(render),
        Condition: s.Condition as Statement['Condition'],
      });
    }
  };
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    add(id, r.Properties.PolicyDocument);
  }
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) {
    add(id, r.Properties.PolicyDocument);
  }
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const p of asArray(r.Properties.Policies as { PolicyName: string; PolicyDocument: never }[])) {
      add(`${id}/${p.PolicyName}`, p.PolicyDocument);
    }
  }
  return out;
}

/** The logical id of the one resource of a type whose id starts with a prefix. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/** The statements of the default policy attached to a function's role. */
export function functionStatements(template: Template, functionPrefix: string): Statement[] {
  const fnId = logicalId(template, 'AWS::Lambda::Function', functionPrefix);
  const fn = template.findResources('AWS::Lambda::Function')[fnId];
  if (!fn) throw new Error(`no function ${fnId}`);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy');
  const mine = Object.entries(policies).filter(([, p]) =>
    asArray(p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
  );
  return identityStatements(template).filter((s) => mine.some(([id]) => id === s.policy));
}

/** Synthesis (and bundling) can take tens of seconds on a busy machine. */
export const SYNTH_TIMEOUT_MS = 180_000;
