import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import type { HubPlan, MemberPlan } from '../functions/core/fleet/plan.ts';
import { ENV } from '../functions/shared/env.ts';
import { Alerting } from './constructs/alerting.ts';
import { HubBus } from './constructs/hub-bus.ts';
import { putDefaultBusEventsStatement } from './constructs/permissions.ts';
import { encryptedQueue } from './constructs/queues.ts';
import { REPORT_PATTERN } from './constructs/report-forwarding.ts';
import { assertLocalEsbuild, SentinelFunction } from './constructs/sentinel-function.ts';
import { acknowledge } from './nag.ts';
import { ENTRIES } from './sentinel-stack.ts';

export interface HubStackProps extends StackProps {
  /** The whole fleet's validated config: the hub function judges reports of every cluster in it. */
  readonly config: SentinelConfig;
  readonly hub: HubPlan;
  readonly members: readonly MemberPlan[];
}

const HUB_TIMEOUT = Duration.minutes(1);

/**
 * A fleet's alert hub: the bus the members report to, the hub function that applies the alert
 * policy (dedup, reminders, resolve, grouping) to every member's reports, and the fleet's one
 * alert table, topic, Slack or Chatbot wiring and e-mail; alarms on its own failures and on every
 * cluster whose reports stop arriving.
 */
export class HubStack extends Stack {
  readonly hubBus: HubBus;
  readonly alerting: Alerting;
  readonly hubFunction: SentinelFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    assertLocalEsbuild();
    const { config } = props;

    // Reports EventBridge could not deliver to the function, and invocations that failed every retry.
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue');
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      "it is the dead-letter queue of the hub rule's target and of the hub function's on-failure destination, which no redrive policy names",
    );
    this.hubBus = new HubBus(this, 'HubBus', { hub: props.hub, members: props.members });
    this.alerting = new Alerting(this, 'Alerting', { config, notifierEntry: ENTRIES.notifier });

    this.hubFunction = new SentinelFunction(this, 'Hub', {
      entry: ENTRIES.hub,
      description: "kops-api-sentinel: applies the alert policy to the fleet members' reports",
      timeout: HUB_TIMEOUT,
      config,
      environment: {
        [ENV.ALERT_TABLE_NAME]: this.alerting.table.tableName,
        [ENV.ALERT_TOPIC_ARN]: this.alerting.topic.topicArn,
        [ENV.EVENT_BUS_NAME]: 'default',
      },
      async: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        onFailure: new SqsDestination(this.deadLetterQueue),
      },
    });
    this.alerting.grantAlerting(this.hubFunction.function);
    this.hubFunction.function.addToRolePolicy(putDefaultBusEventsStatement(this));

    this.rule = new events.Rule(this, 'Reports', {
      description: "kops-api-sentinel: the fleet members' Findings Reported events, to the hub function",
      eventBus: this.hubBus.bus,
      // the bus policy admits the members' forwarding roles only; the rule matches their accounts too
      eventPattern: { ...REPORT_PATTERN, account: [...new Set(props.members.map((m) => m.account))] },
      targets: [
        new targets.LambdaFunction(this.hubFunction.function, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    const { book } = this.alerting;
    book.onErrors('Hub', this.hubFunction.function);
    if (this.alerting.notifier) book.onErrors('Notifier', this.alerting.notifier.function);
    book.onDeadLetters('DeadLetterQueue', this.deadLetterQueue);
    if (this.alerting.notificationDeadLetterQueue)
      book.onDeadLetters('NotificationDeadLetterQueue', this.alerting.notificationDeadLetterQueue);
    // a member that stops reporting for two schedule periods is an alert, whatever the reason
    book.onMissingReports(
      props.members.flatMap((m) =>
        m.clusters.map((c) => ({ name: c.name, account: m.account, region: m.region })),
      ),
      config.verifier.scheduleMinutes,
    );

    new CfnOutput(this, 'HubBusArn', { value: this.hubBus.bus.eventBusArn });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerting.topic.topicArn });
    new CfnOutput(this, 'AlertTableName', { value: this.alerting.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    if (this.alerting.notificationDeadLetterQueue) {
      new CfnOutput(this, 'NotificationDeadLetterQueueUrl', {
        value: this.alerting.notificationDeadLetterQueue.queueUrl,
      });
    }
  }
}
