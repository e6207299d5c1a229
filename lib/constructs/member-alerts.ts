import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import type { HubPlan, MemberPlan } from '../../functions/core/fleet/plan.ts';
import { ENV } from '../../functions/shared/env.ts';
import type { AlarmBook } from './alarms.ts';
import { Alerting } from './alerting.ts';
import { MemberOperations } from './member-operations.ts';
import { ReportForwarding } from './report-forwarding.ts';
import type { SentinelFunction } from './sentinel-function.ts';

/**
 * Where a member stack's registrar and verifier send what they find, and where its operational
 * alarms go: its own alerting (no hub) or the fleet's hub (reports, with local alarms).
 */
export interface MemberAlerts {
  /** The functions' environment for it (resource names only). */
  readonly environment: Record<string, string>;
  /** The stack's operational alarms go here. */
  readonly book: AlarmBook;
  /** Its own functions and dead-letter queues, alarmed like the stack's. */
  readonly functions: readonly [string, SentinelFunction][];
  readonly queues: readonly [string, sqs.IQueue][];
  /** What the registrar and the verifier need. */
  grant(fn: lambda.IFunction): void;
  /** Once the functions exist: only their roles may use what is theirs alone. */
  admitOnly(roleArns: readonly string[]): void;
  addOutputs(stack: Stack): void;
}

/** No hub: the member decides and delivers its own alerts (table, topic, Slack, e-mail), as always. */
export function localAlerts(
  stack: Stack,
  config: SentinelConfig,
  notifierEntry: string,
  chatbotName?: string,
): MemberAlerts & { alerting: Alerting } {
  const alerting = new Alerting(stack, 'Alerting', {
    config,
    notifierEntry,
    ...(chatbotName ? { chatbotName } : {}),
  });
  return {
    alerting,
    environment: {
      [ENV.ALERT_TABLE_NAME]: alerting.table.tableName,
      [ENV.ALERT_TOPIC_ARN]: alerting.topic.topicArn,
    },
    book: alerting.book,
    functions: alerting.notifier ? [['Notifier', alerting.notifier]] : [],
    queues: alerting.notificationDeadLetterQueue
      ? [['NotificationDeadLetterQueue', alerting.notificationDeadLetterQueue]]
      : [],
    grant: (fn) => alerting.grantAlerting(fn),
    admitOnly: () => undefined,
    addOutputs: (scope) => {
      new CfnOutput(scope, 'AlertTopicArn', { value: alerting.topic.topicArn });
      new CfnOutput(scope, 'AlertTableName', { value: alerting.table.tableName });
      if (alerting.notificationDeadLetterQueue) {
        new CfnOutput(scope, 'NotificationDeadLetterQueueUrl', {
          value: alerting.notificationDeadLetterQueue.queueUrl,
        });
      }
    },
  };
}

/**
 * With a hub: the member reports every run to its own bus, forwarded to the hub's, and keeps its
 * state table (follow-up claims) and a local topic for its operational alarms. No alert topic, no
 * Slack: without ALERT_TOPIC_ARN the functions publish no alerts.
 */
export function hubReports(
  stack: Stack,
  props: { config: SentinelConfig; member: MemberPlan; hub: HubPlan; deadLetterQueue: sqs.IQueue },
): MemberAlerts & { operations: MemberOperations; reports: ReportForwarding } {
  const operations = new MemberOperations(stack, 'Operations', { email: props.config.alerts.email });
  const reports = new ReportForwarding(stack, 'Reports', {
    member: props.member,
    hubBusArn: props.hub.busArn,
    deadLetterQueue: props.deadLetterQueue,
    scheduleMinutes: props.config.verifier.scheduleMinutes,
  });
  return {
    operations,
    reports,
    environment: {
      [ENV.ALERT_TABLE_NAME]: operations.table.tableName,
      [ENV.REPORT_BUS_NAME]: reports.bus.eventBusName,
    },
    book: operations.book,
    functions: [],
    queues: [],
    grant: (fn) => {
      operations.grantFollowUpClaims(fn);
      reports.grantReport(fn);
    },
    admitOnly: (roleArns) => reports.admitOnly(roleArns),
    addOutputs: (scope) => {
      new CfnOutput(scope, 'AlarmTopicArn', { value: operations.topic.topicArn });
      new CfnOutput(scope, 'StateTableName', { value: operations.table.tableName });
      new CfnOutput(scope, 'ReportBusArn', { value: reports.bus.eventBusArn });
    },
  };
}
