import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import { METRIC } from '../../functions/shared/metric-names.ts';
import { acknowledge } from '../nag.ts';
import { sentinelMetric } from './metrics.ts';
import { encryptedQueue } from './queues.ts';
import { SentinelFunction } from './sentinel-function.ts';

export interface AlertingProps {
  readonly config: SentinelConfig;
  /** Handler of the Slack webhook notifier, relative to the project root. */
  readonly notifierEntry?: string;
}

/**
 * Everything alerts pass through: the alert-state table (dedup, reminders, resolves), the
 * KMS-encrypted topic, its subscribers (Slack by webhook function or AWS Chatbot, and e-mail) and
 * the operational alarms that publish to the same topic.
 */
export class Alerting extends Construct {
  readonly key: kms.Key;
  readonly topic: sns.Topic;
  readonly table: dynamodb.Table;
  readonly notifier?: SentinelFunction;
  readonly notificationDeadLetterQueue?: sqs.Queue;
  readonly chatbot?: chatbot.SlackChannelConfiguration;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly alarmAction: actions.SnsAction;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { config } = props;

    this.key = new kms.Key(this, 'TopicKey', {
      description: 'kops-api-sentinel: encrypts the alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms publish to the encrypted topic, so the service needs the data key. The
    // functions get the same through IAM (topic.grantPublish), which the default key policy allows.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'kops-api-sentinel alerts',
      masterKey: this.key,
      enforceSSL: true,
    });

    this.table = new dynamodb.Table(this, 'AlertState', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'ttl',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alarmAction = new actions.SnsAction(this.topic);

    const slack = config.alerts.slack;
    if (slack?.kind === 'webhook') {
      if (!props.notifierEntry)
        throw new Error('alerts.slack.kind is "webhook" but no notifier entry was given');
      // Lambda accepts SNS deliveries asynchronously: the subscription's DLQ keeps what SNS could not
      // hand over, and the function's on-failure destination keeps what the notifier gave up on
      // (after its own bounded Slack retries and Lambda's async retries). Nothing is dropped silently.
      this.notificationDeadLetterQueue = encryptedQueue(this, 'NotificationDeadLetterQueue', {
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        this.notificationDeadLetterQueue,
        'AwsSolutions-SQS3',
        "it is the dead-letter queue of the topic's Lambda subscription and of the notifier's on-failure destination, which no redrive policy names",
      );
      this.notifier = new SentinelFunction(this, 'Notifier', {
        entry: props.notifierEntry,
        description: 'kops-api-sentinel: posts alerts from the topic to Slack through an incoming webhook',
        timeout: Duration.seconds(60),
        config,
        environment: { SLACK_SECRET_NAME: slack.secretName },
        async: {
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
          onFailure: new SqsDestination(this.notificationDeadLetterQueue),
        },
      });
      // fromSecretNameV2 grants on `…:secret:<name>-??????`: this secret and nothing else.
      const secret = secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhookSecret', slack.secretName);
      secret.grantRead(this.notifier.function);
      this.topic.addSubscription(
        new subscriptions.LambdaSubscription(this.notifier.function, {
          deadLetterQueue: this.notificationDeadLetterQueue,
        }),
      );
    } else if (slack?.kind === 'chatbot') {
      // Chatbot only relays notifications: its channel role has no permission, and the guardrail
      // denies everything, so nobody in the channel can run AWS commands through it.
      const denyAll = iam.ManagedPolicy.fromAwsManagedPolicyName('AWSDenyAll');
      const role = new iam.Role(this, 'ChatbotRole', {
        assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
        description: 'kops-api-sentinel: AWS Chatbot channel role (notifications only, no permissions)',
      });
      this.chatbot = new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
        slackChannelConfigurationName: `${Stack.of(this).stackName}-alerts`.slice(0, 128),
        slackWorkspaceId: slack.workspaceId,
        slackChannelId: slack.channelId,
        notificationTopics: [this.topic],
        role,
        guardrailPolicies: [denyAll],
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }

    for (const address of config.alerts.email) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
  }

  /** What a function that raises alerts needs: publish to the topic, read and write alert state. */
  grantAlerting(fn: lambda.IFunction): void {
    this.topic.grantPublish(fn);
    if (fn.role)
      acknowledge(
        fn.role,
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        "publishing to the KMS-encrypted topic needs a data key of the topic's own key (the grant names that key only); the wildcard covers GenerateDataKey and its variants",
      );
    // exactly the calls of functions/core/alerts (state.ts, publish.ts); no scans, no deletes
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadWriteAlertState',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    );
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, props);
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Any error of the function within five minutes. */
  alarmOnErrors(name: string, fn: lambda.IFunction): cloudwatch.Alarm {
    return this.alarm(`${name}Errors`, {
      alarmDescription: `kops-api-sentinel: the ${name} function failed`,
      metric: fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Any message waiting in a dead-letter queue. */
  alarmOnDeadLetters(name: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return this.alarm(`${name}NotEmpty`, {
      alarmDescription: `kops-api-sentinel: messages are waiting in ${name}`,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * The verifier has not verified a cluster within two schedule periods: one alarm per cluster on
   * the `Verifications` metric the verifier emits (EMF) for every cluster a full run judged, so a
   * verifier that never starts, hangs, or cannot write its logs alarms as well (missing data is
   * breaching). Follow-up rounds do not count.
   */
  alarmOnMissingVerifications(clusters: readonly string[], scheduleMinutes: number): cloudwatch.Alarm[] {
    return clusters.map((cluster) =>
      this.alarm(`VerifierStalled-${cluster}`, {
        alarmDescription: `kops-api-sentinel: no verification of ${cluster} completed within two schedule periods (${2 * scheduleMinutes} minutes)`,
        metric: sentinelMetric(METRIC.verifications, cluster, {
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(2 * scheduleMinutes),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
  }
}
