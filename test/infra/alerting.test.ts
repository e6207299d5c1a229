import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  identityStatements,
  LEGACY,
  logicalId,
  PROD,
  REGION,
  render,
  SLACK_SECRET,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  sharedSynth,
} from './helpers.ts';

let webhook: Synthesized;
let chatbot: Synthesized;
beforeAll(() => {
  webhook = sharedSynth('two-clusters');
  chatbot = sharedSynth('chatbot');
}, SYNTH_TIMEOUT_MS);

describe('alert topic', () => {
  it('is encrypted with a rotating customer-managed key that CloudWatch alarms may use', () => {
    const t = webhook.template;
    const key = logicalId(t, 'AWS::KMS::Key', 'AlertingTopicKey');
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('denies publishing without TLS', () => {
    const topic = logicalId(webhook.template, 'AWS::SNS::Topic', 'AlertingTopic');
    webhook.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets the registrar and verifier publish and use the key, and nothing else publish', () => {
    const topic = logicalId(webhook.template, 'AWS::SNS::Topic', 'AlertingTopic');
    const publishers = identityStatements(webhook.template).filter((st) =>
      st.actions.includes('sns:Publish'),
    );
    expect(publishers).toHaveLength(2);
    for (const st of publishers) expect(st.resources).toEqual([`\${${topic}}`]);
  });
});

describe('alert-state table', () => {
  it('has pk/sk string keys, on-demand billing, PITR, encryption, TTL on `ttl`, and is retained', () => {
    webhook.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      },
    });
  });
});

describe('Slack by webhook', () => {
  it('subscribes the notifier to the topic with a dead-letter queue', () => {
    const t = webhook.template;
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalId(t, 'AWS::SNS::Topic', 'AlertingTopic') },
      Endpoint: { 'Fn::GetAtt': [logicalId(t, 'AWS::Lambda::Function', 'AlertingNotifierFunction'), 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [logicalId(t, 'AWS::SQS::Queue', 'AlertingNotificationDeadLetterQueue'), 'Arn'],
        },
      },
    });
  });

  it('sends notifications the notifier gave up on to the same dead-letter queue', () => {
    const t = webhook.template;
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(t, 'AWS::Lambda::Function', 'AlertingNotifierFunction') },
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: {
            'Fn::GetAtt': [logicalId(t, 'AWS::SQS::Queue', 'AlertingNotificationDeadLetterQueue'), 'Arn'],
          },
        },
      },
    });
  });

  it('grants reading the one webhook secret, by its name pattern, and no other secret', () => {
    const secretStatements = identityStatements(webhook.template).filter((st) =>
      st.actions.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toHaveLength(1);
    const [st] = secretStatements;
    expect(st?.actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(st?.resources).toEqual([
      `arn:\${AWS::Partition}:secretsmanager:${REGION}:${ACCOUNT}:secret:${SLACK_SECRET}-??????`,
    ]);
    expect(st?.resources.join()).not.toMatch(/secret:\*|^\*$/);
  });

  it('creates no Chatbot configuration', () => {
    webhook.template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });
});

describe('Slack by AWS Chatbot', () => {
  it('creates a SlackChannelConfiguration on the topic whose channel can run nothing', () => {
    const t = chatbot.template;
    const topic = logicalId(t, 'AWS::SNS::Topic', 'AlertingTopic');
    const role = logicalId(t, 'AWS::IAM::Role', 'AlertingChatbotRole');
    t.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: topic }],
      IamRoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
      GuardrailPolicies: Match.anyValue(),
    });
    const config = Object.values(t.findResources('AWS::Chatbot::SlackChannelConfiguration'))[0];
    expect(render(config?.Properties.GuardrailPolicies[0])).toMatch(/:iam::aws:policy\/AWSDenyAll$/);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })],
      },
    });
    const managed = (
      (t.findResources('AWS::IAM::Role')[role]?.Properties.ManagedPolicyArns ?? []) as unknown[]
    ).map(render);
    expect(managed).toEqual([]);
  });

  it('builds no notifier, no secret access and no Lambda subscription', () => {
    const t = chatbot.template;
    expect(
      Object.keys(t.findResources('AWS::Lambda::Function')).some((id) => id.startsWith('AlertingNotifier')),
    ).toBe(false);
    t.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'lambda' }, 0);
    expect(identityStatements(t).some((st) => st.actions.some((a) => a.startsWith('secretsmanager:')))).toBe(
      false,
    );
  });
});

describe('e-mail', () => {
  it('subscribes each configured address', () => {
    for (const address of ['oncall@example.com', 'platform@example.com']) {
      webhook.template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: address,
      });
    }
    chatbot.template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
  });
});

describe('operational alarms', () => {
  type Alarm = { Properties: Record<string, unknown> };
  const alarms = (s: Synthesized) =>
    Object.values(s.template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  const topicAction = (s: Synthesized) => ({
    Ref: logicalId(s.template, 'AWS::SNS::Topic', 'AlertingTopic'),
  });

  it('alarm on errors of every function, to the topic', () => {
    for (const prefix of ['RegistrarFunction', 'VerifierFunction', 'AlertingNotifierFunction']) {
      webhook.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          {
            Name: 'FunctionName',
            Value: { Ref: logicalId(webhook.template, 'AWS::Lambda::Function', prefix) },
          },
        ],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicAction(webhook)],
      });
    }
    expect(alarms(chatbot).filter((a) => a.Properties.MetricName === 'Errors')).toHaveLength(2);
  });

  it('alarm on a message in any dead-letter queue', () => {
    const dlqs = ['DeadLetterQueue', 'FollowUpDeadLetterQueue', 'AlertingNotificationDeadLetterQueue'];
    for (const prefix of dlqs) {
      webhook.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(webhook.template, 'AWS::SQS::Queue', prefix), 'QueueName'] },
          },
        ],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicAction(webhook)],
      });
    }
    expect(alarms(webhook).filter((a) => a.Properties.Namespace === 'AWS/SQS')).toHaveLength(3);
  });

  it('alarm per cluster when no verification completed within two schedule periods, on the metric the verifier emits', () => {
    const t = webhook.template;
    for (const cluster of [PROD, LEGACY]) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KopsApiSentinel',
        MetricName: 'Verifications',
        // exactly the dimensions of the EMF the verifier writes: Powertools' service, and the cluster
        Dimensions: [
          { Name: 'cluster', Value: cluster },
          { Name: 'service', Value: 'kops-api-sentinel' },
        ],
        Statistic: 'Sum',
        Period: 2 * 10 * 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [topicAction(webhook)],
      });
    }
    expect(alarms(webhook).filter((a) => a.Properties.MetricName === 'Verifications')).toHaveLength(2);
    // the log metric filter on "verification completed" is gone: the alarm reads the metric
    t.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('sends every alarm to the topic', () => {
    for (const s of [webhook, chatbot]) {
      for (const a of alarms(s)) expect(a.Properties.AlarmActions).toEqual([topicAction(s)]);
    }
  });
});

describe('outputs', () => {
  it('exports the topic ARN, the table name and the dead-letter queue URL', () => {
    const t = webhook.template;
    t.hasOutput('AlertTopicArn', { Value: { Ref: logicalId(t, 'AWS::SNS::Topic', 'AlertingTopic') } });
    t.hasOutput('AlertTableName', {
      Value: { Ref: logicalId(t, 'AWS::DynamoDB::Table', 'AlertingAlertState') },
    });
    t.hasOutput('DeadLetterQueueUrl', { Value: { Ref: logicalId(t, 'AWS::SQS::Queue', 'DeadLetterQueue') } });
  });
});
