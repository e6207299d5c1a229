import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import { parseConfig } from '../../functions/core/config/load.ts';
import { HUB_BUS_NAME, planFleet } from '../../functions/core/fleet/plan.ts';
import { METRIC } from '../../functions/shared/metric-names.ts';
import { HubStack } from '../../lib/hub-stack.ts';
import {
  fleetInput,
  HUB_ACCOUNT,
  HUB_REGION,
  MEMBER_ACCOUNTS,
  ORG_ID,
  type SynthesizedFleet,
  sharedFleet,
  templateOf,
} from './fleet-helpers.ts';
import { functionStatements, identityStatements, render, SYNTH_TIMEOUT_MS } from './helpers.ts';

let fleet: SynthesizedFleet;
let hub: Template;
let orgHub: Template;

/** The hub stack alone (no members synthesized), for a config. */
function hubOnly(input: ReturnType<typeof fleetInput>): Template {
  const config = parseConfig(input, 'test config');
  const plan = planFleet(config);
  if (!plan.hub) throw new Error('no hub');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new HubStack(app, plan.hub.id, {
    env: { account: plan.hub.account, region: plan.hub.region },
    config,
    hub: plan.hub,
    members: plan.members,
  });
  return Template.fromStack(stack);
}

beforeAll(() => {
  fleet = sharedFleet();
  hub = templateOf(fleet, 'KopsApiSentinel-Hub');
  orgHub = hubOnly(fleetInput({ organizationId: ORG_ID }));
}, SYNTH_TIMEOUT_MS);

function busPolicy(template: Template): Record<string, unknown> {
  const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0]?.Properties.Statement as Record<string, unknown>;
}

const forwardingRoles = () =>
  fleet.plan.members.map((m) => `arn:aws:iam::${m.account}:role/${m.forwardRoleName}`).sort();

describe('the hub stack', () => {
  it(`has the bus ${HUB_BUS_NAME}, admitting the member accounts' forwarding roles and the sentinel's reports only`, () => {
    hub.hasResourceProperties('AWS::Events::EventBus', { Name: HUB_BUS_NAME });
    const statement = busPolicy(hub);
    expect(statement.Effect).toBe('Allow');
    expect(statement.Action).toBe('events:PutEvents');
    const principals = (statement.Principal as { AWS: unknown[] }).AWS.map(render).sort();
    expect(principals).toEqual(MEMBER_ACCOUNTS.map((a) => `arn:\${AWS::Partition}:iam::${a}:root`));
    expect(statement.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': forwardingRoles() },
      'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
      StringEquals: { 'events:detail-type': ['Findings Reported'] },
    });
    // exactly the roles the members create
    const memberRoles = fleet.plan.members.map((m) => {
      const t = templateOf(fleet, m.id);
      const [role] = Object.values(
        t.findResources('AWS::IAM::Role', { Properties: { RoleName: m.forwardRoleName } }),
      );
      expect(role).toBeDefined();
      return `arn:aws:iam::${m.account}:role/${role?.Properties.RoleName}`;
    });
    expect(memberRoles.sort()).toEqual(forwardingRoles());
  });

  it('with an organization id, admits any principal of the organization, still only the forwarding roles and the source', () => {
    const statement = busPolicy(orgHub);
    expect(statement.Principal).toEqual({ AWS: '*' });
    expect(statement.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': forwardingRoles() },
      'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
      StringEquals: { 'aws:PrincipalOrgID': ORG_ID, 'events:detail-type': ['Findings Reported'] },
    });
  });

  it('sends Findings Reported from the member accounts to the hub function, with retries and a dead-letter queue', () => {
    const [busId] = Object.keys(hub.findResources('AWS::Events::EventBus'));
    const rules = Object.values(hub.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]?.Properties as Record<string, unknown>;
    expect(rule.EventBusName).toEqual({ Ref: busId });
    expect(rule.EventPattern).toEqual({
      source: [EVENT_SOURCE],
      'detail-type': ['Findings Reported'],
      account: [...MEMBER_ACCOUNTS],
    });
    const [target] = rule.Targets as Record<string, never>[];
    expect(render(target?.Arn)).toMatch(/^\$\{HubFunction[0-9A-F]+\.Arn\}$/);
    const deadLetters = (target?.DeadLetterConfig ?? {}) as { Arn?: unknown };
    expect(render(deadLetters.Arn)).toMatch(/^\$\{DeadLetterQueue[0-9A-F]+\.Arn\}$/);
    expect(target?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 8 });
    hub.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: 'HubFunctionED93D030' },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterQueue9F481546', 'Arn'] } } },
    });
  });

  it("gives the hub function the alert table, topic and default bus, and exactly the alert policy's grants", () => {
    const [fnId, fn] = Object.entries(hub.findResources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('HubFunction'),
    ) as [string, { Properties: { Environment: { Variables: Record<string, unknown> } } }];
    expect(fnId).toBeDefined();
    const env = fn.Properties.Environment.Variables;
    expect(render(env.ALERT_TABLE_NAME)).toMatch(/^\$\{AlertingAlertState[0-9A-F]+\}$/);
    expect(render(env.ALERT_TOPIC_ARN)).toMatch(/^\$\{AlertingTopic[0-9A-F]+\}$/);
    expect(env.EVENT_BUS_NAME).toBe('default');
    expect(env.REPORT_BUS_NAME).toBeUndefined();
    const statements = functionStatements(hub, 'HubFunction');
    const allowed = statements.flatMap((s) => s.actions.map((a) => `${a} ${s.resources.join(',')}`)).sort();
    expect(allowed).toEqual(
      [
        'dynamodb:GetItem ${AlertingAlertStateAB7440CB.Arn}',
        'dynamodb:PutItem ${AlertingAlertStateAB7440CB.Arn}',
        'dynamodb:Query ${AlertingAlertStateAB7440CB.Arn}',
        'dynamodb:UpdateItem ${AlertingAlertStateAB7440CB.Arn}',
        `events:PutEvents arn:aws:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/default`,
        'kms:Decrypt ${AlertingTopicKey5E199376.Arn}',
        'kms:GenerateDataKey* ${AlertingTopicKey5E199376.Arn}',
        'logs:CreateLogStream ${HubLogGroup543DAC22.Arn}',
        'logs:PutLogEvents ${HubLogGroup543DAC22.Arn}',
        'sns:Publish ${AlertingTopic08189029}',
        // the on-failure destination
        'sqs:GetQueueAttributes ${DeadLetterQueue9F481546.Arn}',
        'sqs:GetQueueUrl ${DeadLetterQueue9F481546.Arn}',
        'sqs:SendMessage ${DeadLetterQueue9F481546.Arn}',
      ].sort(),
    );
    // no mutation on "*" anywhere in the hub
    const wide = identityStatements(hub).filter(
      (s) =>
        s.Effect === 'Allow' &&
        s.resources.includes('*') &&
        s.actions.some((a) => !/:(Describe|Get|List)/.test(a)),
    );
    expect(wide).toEqual([]);
  });

  it('alarms per cluster when its reports stop for two schedule periods (missing data breaching)', () => {
    const stale = Object.entries(hub.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.startsWith('AlertingReportsMissing'),
    );
    expect(stale).toHaveLength(fleet.config.clusters.length);
    const byCluster = new Map(
      stale.map(([, a]) => [
        (a.Properties.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'cluster')
          ?.Value,
        a.Properties,
      ]),
    );
    for (const member of fleet.plan.members) {
      for (const cluster of member.clusters) {
        const alarm = byCluster.get(cluster.name);
        expect(alarm, cluster.name).toMatchObject({
          MetricName: METRIC.reports,
          Namespace: 'KopsApiSentinel',
          Statistic: 'Sum',
          Period: 2 * fleet.config.verifier.scheduleMinutes * 60,
          Threshold: 1,
          EvaluationPeriods: 1,
          ComparisonOperator: 'LessThanThreshold',
          TreatMissingData: 'breaching',
        });
        expect(alarm?.AlarmDescription).toContain(`account ${member.account}, ${member.region}`);
      }
    }
  });

  it("alarms on its own failures: the hub and notifier functions and the dead-letter queues, to the fleet's topic", () => {
    const ids = Object.keys(hub.findResources('AWS::CloudWatch::Alarm'))
      .filter((id) => !id.startsWith('AlertingReportsMissing'))
      .map((id) => id.replace(/[0-9A-F]{8}$/, ''))
      .sort();
    expect(ids).toEqual([
      'AlertingDeadLetterQueueNotEmpty',
      'AlertingHubErrors',
      'AlertingNotificationDeadLetterQueueNotEmpty',
      'AlertingNotifierErrors',
    ]);
    for (const alarm of Object.values(hub.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlertingTopic08189029' }]);
    }
    hub.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    hub.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });
});
