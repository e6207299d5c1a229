import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { HUB_QUEUE_VISIBILITY_SECONDS } from '../functions/core/fleet/hub-queue.ts';
import type { HubPlan, MemberPlan } from '../functions/core/fleet/plan.ts';
import { ENV } from '../functions/shared/env.ts';
import { Alerting } from './constructs/alerting.ts';
import { HubBus } from './constructs/hub-bus.ts';
import { onlyTheseRolesStatement, putDefaultBusEventsStatement } from './constructs/permissions.ts';
import { encryptedQueue } from './constructs/queues.ts';
import { REPORT_PATTERN, reportRetryPolicy } from './constructs/report-forwarding.ts';
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
// Lambda's guidance for SQS event sources: a visibility timeout of at least six times the function's
if (HUB_QUEUE_VISIBILITY_SECONDS < 6 * HUB_TIMEOUT.toSeconds())
  throw new Error('HUB_QUEUE_VISIBILITY_SECONDS must be at least six times the hub function timeout');

/**
 * A fleet's alert hub: the bus the members report to, the queue its rule delivers their reports
 * to (which nothing but that rule may send to), the hub function that consumes the queue and
 * applies the alert policy (dedup, reminders, resolve, grouping) to every member's reports, and
 * the fleet's one alert table, topic, Slack or Chatbot wiring and e-mail; alarms on its own
 * failures and on every cluster whose reports stop arriving.
 */
export class HubStack extends Stack {
  readonly hubBus: HubBus;
  readonly alerting: Alerting;
  readonly hubFunction: SentinelFunction;
  readonly deadLetterQueue: sqs.Queue;
  /** The hub rule's target and the hub function's trigger: EventBridge → queue → function. */
  readonly reportQueue: sqs.Queue;
  readonly reportDeadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    assertLocalEsbuild();
    const { config } = props;

    // Reports EventBridge could not deliver to the report queue, and failed asynchronous invocations.
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue');
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      "it is the dead-letter queue of the hub rule's target and of the hub function's on-failure destination, which no redrive policy names",
    );
    // The reports the hub function failed five times (AWS failures): kept for an operator.
    this.reportDeadLetterQueue = encryptedQueue(this, 'ReportDeadLetterQueue');
    this.reportQueue = encryptedQueue(this, 'ReportQueue', {
      retentionPeriod: Duration.days(1),
      visibilityTimeout: Duration.seconds(HUB_QUEUE_VISIBILITY_SECONDS),
      deadLetterQueue: { queue: this.reportDeadLetterQueue, maxReceiveCount: 5 },
    });
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
        [ENV.HUB_QUEUE_ARN]: this.reportQueue.queueArn,
        [ENV.HUB_QUEUE_URL]: this.reportQueue.queueUrl,
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
      description:
        "kops-api-sentinel: the fleet members' Findings Reported events, to the hub's report queue",
      eventBus: this.hubBus.bus,
      // the bus policy admits the members' forwarding roles only; the rule matches their accounts too
      eventPattern: { ...REPORT_PATTERN, account: [...new Set(props.members.map((m) => m.account))] },
      targets: [
        new targets.SqsQueue(this.reportQueue, {
          deadLetterQueue: this.deadLetterQueue,
          ...reportRetryPolicy(config.verifier.scheduleMinutes),
        }),
      ],
    });
    this.admitOnlyTheRule();
    this.hubFunction.function.addEventSource(
      new SqsEventSource(this.reportQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    const { book } = this.alerting;
    book.onErrors('Hub', this.hubFunction.function);
    book.onDroppedReports();
    if (this.alerting.notifier) book.onErrors('Notifier', this.alerting.notifier.function);
    book.onDeadLetters('DeadLetterQueue', this.deadLetterQueue);
    book.onDeadLetters('ReportDeadLetterQueue', this.reportDeadLetterQueue);
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
    new CfnOutput(this, 'ReportDeadLetterQueueUrl', { value: this.reportDeadLetterQueue.queueUrl });
    if (this.alerting.notificationDeadLetterQueue) {
      new CfnOutput(this, 'NotificationDeadLetterQueueUrl', {
        value: this.alerting.notificationDeadLetterQueue.queueUrl,
      });
    }
  }

  /**
   * Nothing but EventBridge, for the hub rule, may send to the report queue (whatever anyone's IAM
   * allows, in any account), and nothing but the hub function's role may receive from it: so a
   * receipt handle the hub function is shown was handed out by SQS to its own event source mapping
   * for a message the rule delivered.
   */
  private admitOnlyTheRule(): void {
    this.reportQueue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheHubRuleSendsReports',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.reportQueue.queueArn],
        // a principal without aws:SourceArn (any user or role) matches ArnNotEquals: refused too
        conditions: { ArnNotEquals: { 'aws:SourceArn': this.rule.ruleArn } },
      }),
    );
    const role = this.hubFunction.function.role;
    if (!role) throw new Error('the hub function has no execution role');
    this.reportQueue.addToResourcePolicy(
      onlyTheseRolesStatement('OnlyTheHubReceivesReports', 'sqs:ReceiveMessage', this.reportQueue.queueArn, [
        role.roleArn,
      ]),
    );
  }
}
