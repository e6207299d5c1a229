import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import type { MemberPlan } from '../../functions/core/fleet/plan.ts';
import { onlyTheseRolesStatement } from './permissions.ts';

/** What a fleet's hub bus admits, and what a member's forwarding rule matches: the members' reports. */
export const REPORT_PATTERN = { source: [EVENT_SOURCE], detailType: [DETAIL_TYPES.findingsReported] };

/**
 * How long EventBridge keeps trying to deliver a report (member bus → hub bus, hub bus → hub
 * queue): about two schedule periods, at least a minute (EventBridge's floor), at most its 24 h.
 * A report older than that is stale: newer runs have reported since, and arriving after them it
 * would undo what they said. What EventBridge gives up on goes to the dead-letter queue.
 */
export function reportRetryPolicy(scheduleMinutes: number): { retryAttempts: number; maxEventAge: Duration } {
  const seconds = Math.min(Math.max(2 * scheduleMinutes * 60, 60), 24 * 60 * 60);
  return { retryAttempts: 8, maxEventAge: Duration.seconds(seconds) };
}

export interface ReportForwardingProps {
  readonly member: MemberPlan;
  /** The hub's bus (`HubPlan.busArn`), in the hub's account and region. */
  readonly hubBusArn: string;
  /** Where reports go that EventBridge could not forward to the hub. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The verifier's schedule: a report EventBridge could not forward in two periods is given up. */
  readonly scheduleMinutes: number;
}

/**
 * A fleet member's side of the reports: its own bus `<stackName>-reports`, which only the member's
 * registrar and verifier may put events on, and a rule that forwards their `Findings Reported`
 * events to the hub's bus with a role allowed to put events there and nowhere else. Putting a
 * report on the member's own bus does not depend on the hub: when the hub is unreachable,
 * EventBridge retries the forwarding for about two schedule periods and then keeps the report in
 * the dead-letter queue (reportRetryPolicy).
 */
export class ReportForwarding extends Construct {
  readonly bus: events.EventBus;
  readonly forwardRole: iam.Role;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ReportForwardingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { member } = props;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: member.reportBusName,
      description: "kops-api-sentinel: the registrar's and verifier's reports, forwarded to the fleet's hub",
    });
    const ruleName = `${member.stackName}-to-hub`.slice(0, 64);
    this.forwardRole = new iam.Role(this, 'ForwardRole', {
      roleName: member.forwardRoleName,
      description: "kops-api-sentinel: EventBridge forwards this member's reports to the hub's bus",
      // only EventBridge, and only for this member's forwarding rule (no confused deputy)
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: {
          'aws:SourceAccount': stack.account,
          'aws:SourceArn': stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: `${member.reportBusName}/${ruleName}`,
          }),
        },
      }),
    });
    const hubBus = events.EventBus.fromEventBusArn(this, 'HubBus', props.hubBusArn);
    this.rule = new events.Rule(this, 'ForwardToHub', {
      ruleName,
      description: "kops-api-sentinel: forwards the member's Findings Reported events to the fleet's hub",
      eventBus: this.bus,
      eventPattern: { ...REPORT_PATTERN, account: [stack.account] },
      // the target grants the role events:PutEvents on the hub's bus ARN, and nothing else
      targets: [
        new targets.EventBus(hubBus, { role: this.forwardRole, deadLetterQueue: props.deadLetterQueue }),
      ],
    });
    // CloudFormation takes a retry policy on any target; CDK's EventBus target has no prop for it
    // (aws/aws-cdk#28735), and without one EventBridge retries for 24 h
    const retry = reportRetryPolicy(props.scheduleMinutes);
    (this.rule.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.0.RetryPolicy', {
      MaximumRetryAttempts: retry.retryAttempts,
      MaximumEventAgeInSeconds: retry.maxEventAge.toSeconds(),
    });
  }

  /** Lets a function put its reports on the member's bus (source kops-api-sentinel only). */
  grantReport(fn: lambda.IFunction): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PutReports',
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'events:source': EVENT_SOURCE } },
      }),
    );
  }

  /**
   * Only these roles may put events on the member's bus: anyone else in the account is refused by
   * EventBridge, whatever their IAM allows (like the follow-up queue's policy).
   */
  admitOnly(roleArns: readonly string[]): void {
    this.bus.addToResourcePolicy(
      onlyTheseRolesStatement('OnlyTheSentinelReports', 'events:PutEvents', this.bus.eventBusArn, roleArns),
    );
  }
}
