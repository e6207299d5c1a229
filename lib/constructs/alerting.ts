import { Duration, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import { acknowledge } from '../nag.ts';
import { AlarmBook, encryptedAlarmTopic } from './alarms.ts';
import { encryptedQueue } from './queues.ts';
import { SentinelFunction } from './sentinel-function.ts';
import { ALERT_STATE_ACTIONS, grantTableActions, stateTable } from './state-table.ts';

export interface AlertingProps {
  readonly config: SentinelConfig;
  /** Handler of the Slack webhook notifier, relative to the project root. */
  readonly notifierEntry?: string;
  /** The AWS Chatbot configuration's name, unique in the account (default `<stackName>-alerts`; planFleet's chatbotName). */
  readonly chatbotName?: string;
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
  readonly book: AlarmBook;

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const { config } = props;

    ({ key: this.key, topic: this.topic } = encryptedAlarmTopic(this, {
      keyDescription: 'kops-api-sentinel: encrypts the alert topic',
      displayName: 'kops-api-sentinel alerts',
      email: config.alerts.email,
    }));
    this.table = stateTable(this, 'AlertState');
    this.book = new AlarmBook(this, this.topic);

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
        slackChannelConfigurationName:
          props.chatbotName ?? `${Stack.of(this).stackName}-alerts`.slice(0, 128),
        slackWorkspaceId: slack.workspaceId,
        slackChannelId: slack.channelId,
        notificationTopics: [this.topic],
        role,
        guardrailPolicies: [denyAll],
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
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
    grantTableActions(this.table, fn, 'ReadWriteAlertState', ALERT_STATE_ACTIONS);
  }

  /** Any error of the function within five minutes. */
  alarmOnErrors(name: string, fn: lambda.IFunction): cloudwatch.Alarm {
    return this.book.onErrors(name, fn);
  }

  /** Any message waiting in a dead-letter queue. */
  alarmOnDeadLetters(name: string, queue: sqs.IQueue): cloudwatch.Alarm {
    return this.book.onDeadLetters(name, queue);
  }

  /** The verifier has not verified a cluster within two schedule periods (AlarmBook.onMissingVerifications). */
  alarmOnMissingVerifications(clusters: readonly string[], scheduleMinutes: number): cloudwatch.Alarm[] {
    return this.book.onMissingVerifications(clusters, scheduleMinutes);
  }

  /** At a fleet's hub: no report of a cluster within two schedule periods (AlarmBook.onMissingReports). */
  alarmOnMissingReports(
    clusters: readonly { name: string; account: string; region: string }[],
    scheduleMinutes: number,
  ): cloudwatch.Alarm[] {
    return this.book.onMissingReports(clusters, scheduleMinutes);
  }

  get alarms(): readonly cloudwatch.Alarm[] {
    return this.book.alarms;
  }
}
