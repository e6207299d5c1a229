import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import {
  ACCOUNT,
  chatbotInput,
  functionStatements,
  identityStatements,
  LEGACY,
  LEGACY_TG,
  PROD,
  PROD_TG,
  REGION,
  type Statement,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  sharedSynth,
  synth,
  twoClusterInput,
} from './helpers.ts';

let webhook: Synthesized;
let chatbot: Synthesized;
beforeAll(() => {
  webhook = sharedSynth('two-clusters');
  chatbot = sharedSynth('chatbot');
}, SYNTH_TIMEOUT_MS);

/** Read-only by name (Describe/Get/List), or the tracing and logging plumbing every function has. */
function isReadOnly(action: string): boolean {
  const [service = '', name = ''] = action.split(':');
  return /^(Describe|Get|List)/.test(name) || service === 'xray' || service === 'logs';
}

const NETWORK_INTERFACES = 'ManageFunctionNetworkInterfaces';

const LB_MUTATIONS = [
  'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
  'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
  'elasticloadbalancing:RegisterTargets',
  'elasticloadbalancing:DeregisterTargets',
];
const ASG_MUTATIONS = [
  'autoscaling:AttachLoadBalancers',
  'autoscaling:AttachLoadBalancerTargetGroups',
  'autoscaling:CompleteLifecycleAction',
];
const withAny = (statements: Statement[], actions: string[]) =>
  statements.filter((st) => st.actions.some((a) => actions.includes(a) || a === '*' || a.endsWith(':*')));

describe('least privilege, across every identity policy', () => {
  it('never allows a mutating action on Resource "*"', () => {
    for (const s of [webhook, chatbot]) {
      const statements = identityStatements(s.template);
      expect(statements.length).toBeGreaterThan(5);
      const offenders = statements
        // Lambda manages a VPC function's network interfaces with its role (what the AWS managed
        // AWSLambdaVPCAccessExecutionRole grants); only the verifier, in the VPC, has them
        .filter((st) => st.Effect === 'Allow' && st.resources.includes('*') && st.Sid !== NETWORK_INTERFACES)
        .flatMap((st) => st.actions.filter((a) => !isReadOnly(a)).map((a) => `${st.policy}: ${a}`));
      expect(offenders).toEqual([]);
      const eni = statements.filter((st) => st.Sid === NETWORK_INTERFACES);
      expect(eni.map((st) => st.policy)).toEqual([expect.stringMatching(/^VerifierExecutionPolicy/)]);
    }
  });

  it("uses no managed policy, and writes logs only to each function's own log group", () => {
    for (const s of [webhook, chatbot]) {
      const roles = s.template.findResources('AWS::IAM::Role');
      for (const [id, role] of Object.entries(roles)) {
        if (!/(Registrar|Verifier|Notifier)Role/.test(id)) continue;
        expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
      }
      const fns = Object.keys(s.template.findResources('AWS::Lambda::Function')).filter((id) =>
        /^(Registrar|Verifier|AlertingNotifier)Function/.test(id),
      );
      expect(fns.length).toBeGreaterThanOrEqual(2);
      for (const fn of fns) {
        const prefix = fn.replace(/Function[0-9A-F]{8}$/, '');
        const logs = functionStatements(s.template, fn).filter((st) =>
          st.actions.some((a) => a.startsWith('logs:')),
        );
        expect(logs.flatMap((st) => st.actions).sort(), fn).toEqual([
          'logs:CreateLogStream',
          'logs:PutLogEvents',
        ]);
        expect(logs.flatMap((st) => st.resources)).toEqual([
          expect.stringMatching(new RegExp(`^\\$\\{${prefix}LogGroup[0-9A-F]{8}\\.Arn\\}$`)),
        ]);
      }
    }
  });

  it('reads and writes alert state with exactly the calls the code makes, on the alert table', () => {
    for (const fn of ['RegistrarFunction', 'VerifierFunction']) {
      const dynamo = functionStatements(webhook.template, fn).filter((st) =>
        st.actions.some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo.flatMap((st) => st.actions).sort()).toEqual(
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
      );
      expect(dynamo.flatMap((st) => st.resources)).toEqual([
        expect.stringMatching(/^\$\{AlertingAlertState[0-9A-F]{8}\.Arn\}$/),
      ]);
    }
  });

  it("grants no function anything under the state store's pki/ (the keysets hold the CA private key)", () => {
    const bucket = 'kops-state-store';
    const keysets = [
      `clusters/${LEGACY}/pki/private/kubernetes-ca/keyset.yaml`,
      `clusters/${LEGACY}/pki/issued/ca/keyset.yaml`,
      `clusters/${LEGACY}/pki/private/ca/keyset.yaml`,
    ].map((key) => `arn:aws:s3:::${bucket}/${key}`);
    const matches = (pattern: string, arn: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replaceAll('*', '.*')
          .replaceAll('?', '.')}$`,
      ).test(arn);
    for (const s of [webhook, chatbot]) {
      const statements = identityStatements(s.template);
      const s3 = statements.filter((st) =>
        st.actions.some((a) => a === '*' || a.startsWith('s3:') || a.startsWith('kms:')),
      );
      const offenders = s3.flatMap((st) =>
        st.resources
          .filter((r) => r.includes('pki/') || keysets.some((arn) => matches(r, arn)))
          .map((r) => `${st.policy}: ${r}`),
      );
      expect(offenders).toEqual([]);
      // the only objects any function may read are the node groups' nodeup configs
      const objects = s3.filter((st) => st.actions.includes('s3:GetObject')).flatMap((st) => st.resources);
      for (const r of objects)
        expect(r).toMatch(/^arn:aws:s3:::[a-z0-9.-]+\/.*\/igconfig\/node\/\*\/nodeupconfig\.yaml$/);
    }
    // the pattern check itself can fail: a bucket-wide grant would be caught
    expect(keysets.some((arn) => matches(`arn:aws:s3:::${bucket}/*`, arn))).toBe(true);
    expect(
      keysets.some((arn) =>
        matches(`arn:aws:s3:::${bucket}/clusters/${LEGACY}/igconfig/node/*/nodeupconfig.yaml`, arn),
      ),
    ).toBe(false);
  });

  it('grants no wildcard actions', () => {
    const wildcard = identityStatements(webhook.template).flatMap((st) =>
      st.actions.filter((a) => a === '*' || a.endsWith(':*')).map((a) => `${st.policy}: ${a}`),
    );
    expect(wildcard).toEqual([]);
  });
});

describe('registrar', () => {
  it('attaches only the configured load balancers, and completes lifecycle actions, only on tagged control-plane groups', () => {
    const statements = withAny(functionStatements(webhook.template, 'RegistrarFunction'), ASG_MUTATIONS);
    const tags = (cluster: string) => [
      { 'aws:ResourceTag/KubernetesCluster': cluster },
      { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: ['owned', 'shared'] },
    ];
    const configured: Record<string, { classic: string[]; targetGroups: string[] }> = {
      [PROD]: { classic: ['prod-api-internal'], targetGroups: [PROD_TG] },
      [LEGACY]: { classic: [], targetGroups: [LEGACY_TG] },
    };
    for (const cluster of [PROD, LEGACY]) {
      const mine = statements.filter((x) => x.resources.some((r) => r.endsWith(`.masters.${cluster}`)));
      for (const st of mine) {
        expect(st.resources).toEqual([
          `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/*.masters.${cluster}`,
          `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/*.apiservers.${cluster}`,
        ]);
        expect(st.actions).toHaveLength(1);
        expect(tags(cluster)).toContainEqual((st.Condition as { StringEquals: unknown }).StringEquals);
      }
      const byAction = (action: string) => mine.filter((st) => st.actions[0] === action);
      expect(byAction('autoscaling:CompleteLifecycleAction')).toHaveLength(2);
      const { classic, targetGroups } = configured[cluster] ?? { classic: [], targetGroups: [] };
      const attachElb = byAction('autoscaling:AttachLoadBalancers');
      expect(attachElb).toHaveLength(classic.length ? 2 : 0);
      for (const st of attachElb) {
        expect(st.Condition).toMatchObject({
          'ForAllValues:StringEquals': { 'autoscaling:LoadBalancerNames': classic },
          Null: { 'autoscaling:LoadBalancerNames': 'false' },
        });
      }
      const attachTg = byAction('autoscaling:AttachLoadBalancerTargetGroups');
      expect(attachTg).toHaveLength(2);
      for (const st of attachTg) {
        expect(st.Condition).toMatchObject({
          'ForAllValues:ArnEquals': { 'autoscaling:TargetGroupARNs': targetGroups },
          Null: { 'autoscaling:TargetGroupARNs': 'false' },
        });
      }
    }
  });

  it('registers and deregisters only on the configured load balancers', () => {
    const statements = withAny(functionStatements(webhook.template, 'RegistrarFunction'), LB_MUTATIONS);
    const classic = statements.filter((st) => st.actions.some((a) => a.endsWith('LoadBalancer')));
    const targetGroups = statements.filter((st) => st.actions.some((a) => a.endsWith('Targets')));
    expect(classic.flatMap((st) => st.resources)).toEqual([
      `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/prod-api-internal`,
    ]);
    for (const st of classic) {
      expect(st.actions.sort()).toEqual([
        'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
        'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
      ]);
    }
    expect(targetGroups.flatMap((st) => st.resources).sort()).toEqual([LEGACY_TG, PROD_TG].sort());
    for (const st of targetGroups) {
      expect(st.actions.sort()).toEqual([
        'elasticloadbalancing:DeregisterTargets',
        'elasticloadbalancing:RegisterTargets',
      ]);
    }
  });

  it('reads with Describe* only on "*"', () => {
    const reads = functionStatements(webhook.template, 'RegistrarFunction').filter((st) =>
      st.resources.includes('*'),
    );
    const actions = reads.flatMap((st) => st.actions).filter((a) => !a.startsWith('xray:'));
    expect(actions.sort()).toEqual(
      [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeAutoScalingInstances',
        'autoscaling:DescribeLifecycleHooks',
        'ec2:DescribeInstances',
        'elasticloadbalancing:DescribeInstanceHealth',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ].sort(),
    );
  });

  it('publishes events to the default bus only, and sends follow-ups to its queue only', () => {
    const statements = functionStatements(webhook.template, 'RegistrarFunction');
    const put = statements.filter((st) => st.actions.includes('events:PutEvents'));
    expect(put.flatMap((st) => st.resources)).toEqual([
      `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
    ]);
    expect(put.map((st) => st.Condition)).toEqual([{ StringEquals: { 'events:source': EVENT_SOURCE } }]);
    const send = statements.filter((st) => st.actions.includes('sqs:SendMessage'));
    const resources = send.flatMap((st) => st.resources);
    expect(resources.every((r) => /^\$\{(FollowUpQueue|DeadLetterQueue)[0-9A-F]{8}\.Arn\}$/.test(r))).toBe(
      true,
    );
    expect(resources.some((r) => r.startsWith('${FollowUpQueue'))).toBe(true);
  });

  it('cannot read any CA material', () => {
    const statements = functionStatements(webhook.template, 'RegistrarFunction');
    expect(statements.some((st) => st.actions.some((a) => a.startsWith('ssm:') || a.startsWith('s3:')))).toBe(
      false,
    );
  });
});

describe('verifier', () => {
  it('changes no load balancer and no Auto Scaling group', () => {
    const statements = functionStatements(webhook.template, 'VerifierFunction');
    expect(withAny(statements, [...LB_MUTATIONS, ...ASG_MUTATIONS])).toEqual([]);
    expect(
      statements
        .flatMap((st) => st.actions)
        .filter((a) => a.startsWith('autoscaling:') && !a.includes(':Describe')),
    ).toEqual([]);
  });

  it("reads the CA bundle parameter, and for the state store exactly the node groups' nodeup configs", () => {
    const statements = functionStatements(webhook.template, 'VerifierFunction');
    const ssm = statements.filter((st) => st.actions.some((a) => a.startsWith('ssm:')));
    expect(ssm.flatMap((st) => st.actions)).toEqual(['ssm:GetParameter']);
    expect(ssm.flatMap((st) => st.resources)).toEqual([
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/kops-api-sentinel/${PROD}/ca-bundle`,
    ]);
    const s3 = statements.filter((st) => st.actions.some((a) => a.startsWith('s3:')));
    const get = s3.filter((st) => st.actions.includes('s3:GetObject'));
    expect(get.map((st) => [st.actions, st.resources, st.Condition])).toEqual([
      [
        ['s3:GetObject'],
        [`arn:aws:s3:::kops-state-store/clusters/${LEGACY}/igconfig/node/*/nodeupconfig.yaml`],
        undefined,
      ],
    ]);
    const list = s3.filter((st) => !st.actions.includes('s3:GetObject'));
    expect(list.map((st) => [st.actions, st.resources, st.Condition])).toEqual([
      [
        ['s3:ListBucket'],
        ['arn:aws:s3:::kops-state-store'],
        { StringEquals: { 's3:prefix': [`clusters/${LEGACY}/igconfig/node/`] } },
      ],
    ]);
    // kms: only the alerting topic's own key (a token), no state store key unless configured
    const kms = statements.filter((st) => st.actions.some((a) => a.startsWith('kms:')));
    expect(kms.flatMap((st) => st.resources).filter((r) => r.startsWith('arn:'))).toEqual([]);
  });

  it('may decrypt with the state store key named in the config, through S3 only', () => {
    const input = twoClusterInput();
    const legacy = input.clusters[1];
    if (!legacy) throw new Error('no cluster');
    const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0123abcd-4567-89ab-cdef-0123456789ab`;
    legacy.ca = { source: 'state-store', stateStore: 's3://kops-state-store/clusters', kmsKeyArn: key };
    const statements = functionStatements(synth(input, { bundle: false }).template, 'VerifierFunction');
    const kms = statements.filter(
      (st) => st.actions.some((a) => a.startsWith('kms:')) && st.resources.some((r) => r.startsWith('arn:')),
    );
    expect(kms.map((st) => [st.actions, st.resources, st.Condition])).toEqual([
      [['kms:Decrypt'], [key], { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }],
    ]);
  });

  it('consumes the follow-up queue', () => {
    const statements = functionStatements(webhook.template, 'VerifierFunction');
    const receive = statements.filter((st) => st.actions.includes('sqs:ReceiveMessage'));
    expect(receive.flatMap((st) => st.resources)).toEqual([
      expect.stringMatching(/^\$\{FollowUpQueue[0-9A-F]{8}\.Arn\}$/),
    ]);
  });

  it('reads no CA for an inline bundle', () => {
    const input = chatbotInput();
    const cluster = input.clusters[0];
    if (!cluster) throw new Error('no cluster');
    cluster.ca = {
      source: 'inline',
      pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    };
    const statements = functionStatements(synth(input, { bundle: false }).template, 'VerifierFunction');
    expect(statements.some((st) => st.actions.some((a) => a.startsWith('ssm:') || a.startsWith('s3:')))).toBe(
      false,
    );
  });
});

describe('verifier, kops specs (clusters[].kops)', () => {
  const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0123abcd-4567-89ab-cdef-0123456789ab`;
  let statements: Statement[];
  beforeAll(() => {
    const input = twoClusterInput();
    const [prod, legacy] = input.clusters;
    if (!prod || !legacy) throw new Error('no cluster');
    prod.kops = { stateStore: 's3://kops-state-store', kmsKeyArn: key };
    legacy.kops = { stateStore: 's3://kops-state-store/clusters/' };
    statements = functionStatements(synth(input, { bundle: false }).template, 'VerifierFunction');
  }, SYNTH_TIMEOUT_MS);

  it('reads exactly config, cluster-completed.spec and instancegroup/* of each cluster', () => {
    const specs = statements.filter((st) => st.Sid === 'ReadKopsSpecs');
    expect(specs.map((st) => [st.actions, st.resources, st.Condition])).toEqual([
      [
        ['s3:GetObject'],
        [
          `arn:aws:s3:::kops-state-store/${PROD}/config`,
          `arn:aws:s3:::kops-state-store/${PROD}/cluster-completed.spec`,
          `arn:aws:s3:::kops-state-store/${PROD}/instancegroup/*`,
          `arn:aws:s3:::kops-state-store/clusters/${LEGACY}/config`,
          `arn:aws:s3:::kops-state-store/clusters/${LEGACY}/cluster-completed.spec`,
          `arn:aws:s3:::kops-state-store/clusters/${LEGACY}/instancegroup/*`,
        ],
        undefined,
      ],
    ]);
  });

  it('lists only the instancegroup/ prefixes', () => {
    const list = statements.filter((st) => st.Sid?.startsWith('ListKopsInstanceGroups'));
    expect(list.map((st) => [st.actions, st.resources, st.Condition])).toEqual([
      [
        ['s3:ListBucket'],
        ['arn:aws:s3:::kops-state-store'],
        { StringEquals: { 's3:prefix': [`${PROD}/instancegroup/`, `clusters/${LEGACY}/instancegroup/`] } },
      ],
    ]);
  });

  it('grants nothing under pki/: every object wildcard is an instancegroup/ or nodeup config one', () => {
    const s3 = statements.filter((st) => st.actions.some((a) => a.startsWith('s3:')));
    const wildcards = s3.flatMap((st) => st.resources).filter((r) => r.includes('*') || r.includes('pki/'));
    const allowed = (r: string) =>
      /^arn:aws:s3:::kops-state-store\/[^*]+\/instancegroup\/\*$/.test(r) ||
      /^arn:aws:s3:::kops-state-store\/[^*]+\/igconfig\/node\/\*\/nodeupconfig\.yaml$/.test(r);
    expect(wildcards.filter((r) => !allowed(r))).toEqual([]);
    expect(wildcards.length).toBeGreaterThan(0);
    // the check can fail: a grant of the whole cluster folder would be caught
    expect(allowed(`arn:aws:s3:::kops-state-store/${PROD}/*`)).toBe(false);
    const prefixes = s3.flatMap((st) => Object.values(st.Condition?.StringEquals ?? {}).flat());
    expect(prefixes.filter((p) => String(p).includes('pki/'))).toEqual([]);
  });

  it('may decrypt with kops.kmsKeyArn through S3 only, and read load balancer tags', () => {
    const kms = statements.filter((st) => st.Sid === 'DecryptKopsSpecsViaS3');
    expect(kms.map((st) => [st.actions, st.resources, st.Condition])).toEqual([
      [['kms:Decrypt'], [key], { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } }],
    ]);
    const tags = statements.filter((st) => st.actions.includes('elasticloadbalancing:DescribeTags'));
    expect(tags.map((st) => [st.actions, st.resources])).toEqual([
      [['elasticloadbalancing:DescribeTags'], ['*']],
    ]);
  });
});

describe('notifier', () => {
  it('has no AWS permissions beyond its secret and its dead-letter queue', () => {
    const actions = functionStatements(webhook.template, 'AlertingNotifierFunction').flatMap(
      (st) => st.actions,
    );
    expect(actions.sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });
});
