import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import { type HubPlan, type MemberPlan, partitionOf } from '../../functions/core/fleet/plan.ts';
import { onlyTheseRolesStatement } from './permissions.ts';
import { REPORT_PATTERN } from './report-forwarding.ts';

/** The role a member's forwarding rule puts its reports on the hub's bus with. */
export function forwardRoleArn(member: MemberPlan): string {
  return `arn:${partitionOf(member.region)}:iam::${member.account}:role/${member.forwardRoleName}`;
}

export interface HubBusProps {
  readonly hub: HubPlan;
  readonly members: readonly MemberPlan[];
}

/**
 * The hub's bus `kops-api-sentinel-hub`. Its policy admits events:PutEvents only from the member
 * accounts (or the AWS Organization the config names), only from the members' forwarding roles,
 * and only events with source `kops-api-sentinel` and detail-type `Findings Reported`; and it
 * refuses events:PutEvents to every other principal, also in the hub's own account, whose
 * principals need no allow in the bus policy (a member may share the hub's account and region).
 */
export class HubBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: HubBusProps) {
    super(scope, id);
    const { hub } = props;
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: hub.busName,
      description: "kops-api-sentinel: the fleet members' reports, for the hub's alert policy",
    });
    const principals = hub.organizationId
      ? [new iam.AnyPrincipal()]
      : hub.memberAccounts.map((account) => new iam.AccountPrincipal(account));
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'MembersReportFindings',
        principals,
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          ArnEquals: { 'aws:PrincipalArn': props.members.map(forwardRoleArn) },
          // as AWS documents it for a cross-account bus: events:source takes every entry's source
          'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
          StringEquals: {
            ...(hub.organizationId ? { 'aws:PrincipalOrgID': hub.organizationId } : {}),
            'events:detail-type': REPORT_PATTERN.detailType,
          },
        },
      }),
    );
    this.bus.addToResourcePolicy(
      onlyTheseRolesStatement(
        'OnlyTheForwardingRoles',
        'events:PutEvents',
        this.bus.eventBusArn,
        props.members.map(forwardRoleArn),
      ),
    );
  }
}
