import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTOSCALING_DETAIL_TYPES } from '../../lib/constructs/autoscaling-rules.ts';
import {
  ACCOUNT,
  LEGACY,
  LEGACY_TG,
  logicalId,
  PROD,
  PROD_NLB,
  PROD_TG,
  REGION,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  sharedSynth,
} from './helpers.ts';

const BACKEND_SUFFIXES = [
  { suffix: `.masters.${PROD}` },
  { suffix: `.apiservers.${PROD}` },
  { suffix: `.masters.${LEGACY}` },
  { suffix: `.apiservers.${LEGACY}` },
];

let s: Synthesized;
beforeAll(() => {
  s = sharedSynth('two-clusters');
}, SYNTH_TIMEOUT_MS);

type Rule = {
  Properties: Record<string, unknown> & { EventPattern?: Record<string, unknown>; Targets: Target[] };
};
type Target = {
  Arn: { 'Fn::GetAtt': string[] };
  Input?: string;
  DeadLetterConfig?: { Arn: { 'Fn::GetAtt': string[] } };
  RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
};

function rules(): Rule[] {
  return Object.values(s.template.findResources('AWS::Events::Rule')) as Rule[];
}
function ruleWithDetailType(detailType: string): Rule {
  const found = rules().filter((r) =>
    (r.Properties.EventPattern?.['detail-type'] as string[] | undefined)?.includes(detailType),
  );
  expect(found).toHaveLength(1);
  return found[0] as Rule;
}
function ruleForSource(source: string, detailType: string): Rule {
  const found = rules().filter(
    (r) =>
      (r.Properties.EventPattern?.source as string[] | undefined)?.includes(source) &&
      (r.Properties.EventPattern?.['detail-type'] as string[] | undefined)?.includes(detailType),
  );
  expect(found).toHaveLength(1);
  return found[0] as Rule;
}
const targetFunction = (t: Target) => t.Arn['Fn::GetAtt'][0];

describe('control-plane Auto Scaling events', () => {
  it('match all six launch/terminate/lifecycle detail-types from aws.autoscaling', () => {
    const rule = ruleWithDetailType('EC2 Instance Launch Successful');
    expect(rule.Properties.EventPattern?.source).toEqual(['aws.autoscaling']);
    expect([...((rule.Properties.EventPattern?.['detail-type'] ?? []) as string[])].sort()).toEqual(
      [
        'EC2 Instance Launch Successful',
        'EC2 Instance Launch Unsuccessful',
        'EC2 Instance Terminate Successful',
        'EC2 Instance Terminate Unsuccessful',
        'EC2 Instance-launch Lifecycle Action',
        'EC2 Instance-terminate Lifecycle Action',
      ].sort(),
    );
    expect(AUTOSCALING_DETAIL_TYPES).toHaveLength(6);
  });

  it('match control-plane and API-server groups by the .masters./.apiservers.<cluster> suffixes of every configured cluster', () => {
    const rule = ruleWithDetailType('EC2 Instance-launch Lifecycle Action');
    expect(rule.Properties.EventPattern?.detail).toEqual({ AutoScalingGroupName: BACKEND_SUFFIXES });
  });

  it('accept events of the stack account and region only', () => {
    for (const rule of rules().filter((r) => r.Properties.EventPattern)) {
      expect(rule.Properties.EventPattern?.account).toEqual([ACCOUNT]);
      expect(rule.Properties.EventPattern?.region).toEqual([REGION]);
    }
    expect(rules().filter((r) => r.Properties.EventPattern)).toHaveLength(3);
  });

  it('go to the registrar', () => {
    const rule = ruleWithDetailType('EC2 Instance Terminate Successful');
    expect(rule.Properties.Targets.map(targetFunction)).toEqual([
      logicalId(s.template, 'AWS::Lambda::Function', 'RegistrarFunction'),
    ]);
  });
});

describe('CloudTrail API-call rules', () => {
  it('send control-plane load balancer detaches to the registrar', () => {
    const rule = ruleForSource('aws.autoscaling', 'AWS API Call via CloudTrail');
    expect(rule.Properties.EventPattern?.detail).toEqual({
      eventSource: ['autoscaling.amazonaws.com'],
      eventName: ['DetachLoadBalancers', 'DetachLoadBalancerTargetGroups', 'DetachTrafficSources'],
      requestParameters: { autoScalingGroupName: BACKEND_SUFFIXES },
    });
    expect(rule.Properties.Targets.map(targetFunction)).toEqual([
      logicalId(s.template, 'AWS::Lambda::Function', 'RegistrarFunction'),
    ]);
  });

  it('send load balancer registration, listener and health-check changes to the verifier', () => {
    const rule = ruleForSource('aws.elasticloadbalancing', 'AWS API Call via CloudTrail');
    expect(rule.Properties.EventPattern?.detail).toEqual({
      eventSource: ['elasticloadbalancing.amazonaws.com'],
      eventName: [
        'DeregisterInstancesFromLoadBalancer',
        'DeregisterTargets',
        'ConfigureHealthCheck',
        'DeleteLoadBalancerListeners',
        'CreateLoadBalancerListeners',
        'ModifyListener',
        'DeleteListener',
        'ModifyTargetGroup',
        'SetLoadBalancerListenerSSLCertificate',
        'CreateListener',
        'RegisterTargets',
        'RegisterInstancesWithLoadBalancer',
        'DeleteLoadBalancer',
        'DeleteTargetGroup',
      ],
      // only the configured load balancers: no listener or load balancer call of any other one
      $or: [
        { requestParameters: { loadBalancerName: ['prod-api-internal'] } },
        { requestParameters: { targetGroupArn: [PROD_TG, LEGACY_TG] } },
        {
          eventName: ['CreateListener', 'ModifyListener'],
          requestParameters: { defaultActions: { targetGroupArn: [PROD_TG, LEGACY_TG] } },
        },
        {
          eventName: ['CreateListener', 'ModifyListener'],
          requestParameters: {
            defaultActions: { forwardConfig: { targetGroups: { targetGroupArn: [PROD_TG, LEGACY_TG] } } },
          },
        },
        { requestParameters: { loadBalancerArn: [PROD_NLB] } },
        {
          requestParameters: {
            listenerArn: [
              {
                prefix:
                  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/prod-api-nlb/0123456789abcdef/',
              },
            ],
          },
        },
      ],
    });
    expect(rule.Properties.Targets.map(targetFunction)).toEqual([
      logicalId(s.template, 'AWS::Lambda::Function', 'VerifierFunction'),
    ]);
  });
});

describe('schedule', () => {
  it('runs every scheduleMinutes: reconcile on the registrar, verify on the verifier', () => {
    const scheduled = rules().filter((r) => r.Properties.ScheduleExpression);
    expect(scheduled).toHaveLength(1);
    const rule = scheduled[0] as Rule;
    expect(rule.Properties.ScheduleExpression).toBe('rate(10 minutes)');
    const byFunction = Object.fromEntries(
      rule.Properties.Targets.map((t) => [targetFunction(t), JSON.parse(t.Input ?? 'null')]),
    );
    expect(byFunction).toEqual({
      [logicalId(s.template, 'AWS::Lambda::Function', 'RegistrarFunction')]: { action: 'reconcile' },
      [logicalId(s.template, 'AWS::Lambda::Function', 'VerifierFunction')]: { action: 'verify' },
    });
  });
});

describe('delivery guarantees', () => {
  it('gives every rule target a dead-letter queue and an explicit retry policy', () => {
    const dlq = logicalId(s.template, 'AWS::SQS::Queue', 'DeadLetterQueue');
    const targets = rules().flatMap((r) => r.Properties.Targets);
    expect(targets).toHaveLength(5);
    for (const t of targets) {
      expect(t.DeadLetterConfig?.Arn['Fn::GetAtt'][0]).toBe(dlq);
      expect(t.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(t.RetryPolicy?.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    }
  });

  it('encrypts every queue and refuses non-TLS access to it', () => {
    const queues = s.template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues).length).toBeGreaterThanOrEqual(3);
    for (const q of Object.values(queues)) {
      expect(q.Properties.SqsManagedSseEnabled === true || q.Properties.KmsMasterKeyId !== undefined).toBe(
        true,
      );
    }
    const policies = Object.values(s.template.findResources('AWS::SQS::QueuePolicy'));
    const enforced = new Set(
      policies
        .filter((p) =>
          (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).some(
            (st) =>
              st.Effect === 'Deny' &&
              JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
        )
        .flatMap((p) => (p.Properties.Queues as { Ref: string }[]).map((q) => q.Ref)),
    );
    expect([...enforced].sort()).toEqual(Object.keys(queues).sort());
  });

  it('sets the registrar and verifier async invocation: 2 retries, a maximum age, failures to the DLQ', () => {
    const dlq = logicalId(s.template, 'AWS::SQS::Queue', 'DeadLetterQueue');
    for (const prefix of ['RegistrarFunction', 'VerifierFunction']) {
      const fn = logicalId(s.template, 'AWS::Lambda::Function', prefix);
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: Match.anyValue(),
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
      });
    }
  });

  it('feeds the follow-up queue (with its own DLQ) to the verifier in small batches with partial failures', () => {
    const queue = logicalId(s.template, 'AWS::SQS::Queue', 'FollowUpQueue');
    const followUpDlq = logicalId(s.template, 'AWS::SQS::Queue', 'FollowUpDeadLetterQueue');
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [followUpDlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: logicalId(s.template, 'AWS::Lambda::Function', 'VerifierFunction') },
      BatchSize: Match.anyValue(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const mapping = Object.values(s.template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    expect(mapping?.Properties.BatchSize).toBeLessThanOrEqual(10);
  });
});
