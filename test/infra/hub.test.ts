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

/** The hub bus's policy statements: what it admits, and what it refuses to everyone else. */
function busPolicy(template: Template): { allow: Record<string, unknown>; deny: Record<string, unknown> } {
  const statements = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
    (p) => p.Properties.Statement as Record<string, unknown>,
  );
  expect(statements.map((s) => s.Sid).sort()).toEqual([
    'cdk-MembersReportFindings',
    'cdk-OnlyTheForwardingRoles',
  ]);
  const sid = (id: string) => statements.find((s) => s.Sid === id) as Record<string, unknown>;
  return { allow: sid('cdk-MembersReportFindings'), deny: sid('cdk-OnlyTheForwardingRoles') };
}

/** The one statement the hub bus's deny has, whatever the config: every principal but the forwarding roles. */
function expectOnlyForwardingRoles(template: Template): void {
  expect(busPolicy(template).deny).toMatchObject({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 'events:PutEvents',
    Resource: { 'Fn::GetAtt': [expect.stringMatching(/^HubBus/), 'Arn'] },
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': forwardingRoles() } },
  });
}

const HUB_QUEUE = /^\$\{ReportQueue[0-9A-F]+\.Arn\}$/;
const onlyId = (template: Template, type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids, prefix).toHaveLength(1);
  return ids[0] as string;
};

const forwardingRoles = () =>
  fleet.plan.members.map((m) => `arn:aws:iam::${m.account}:role/${m.forwardRoleName}`).sort();

describe('the hub stack', () => {
  it(`has the bus ${HUB_BUS_NAME}, admitting the member accounts' forwarding roles and the sentinel's reports only`, () => {
    hub.hasResourceProperties('AWS::Events::EventBus', { Name: HUB_BUS_NAME });
    const statement = busPolicy(hub).allow;
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
    const statement = busPolicy(orgHub).allow;
    expect(statement.Principal).toEqual({ AWS: '*' });
    expect(statement.Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': forwardingRoles() },
      'ForAllValues:StringEquals': { 'events:source': [EVENT_SOURCE] },
      StringEquals: { 'aws:PrincipalOrgID': ORG_ID, 'events:detail-type': ['Findings Reported'] },
    });
    expectOnlyForwardingRoles(orgHub);
  });

  it("refuses events:PutEvents on its bus to every principal but the forwarding roles, the hub's own account included", () => {
    // a principal of the hub's account needs no allow in the bus policy: only a deny keeps it off
    expectOnlyForwardingRoles(hub);
  });

  it('sends Findings Reported from the member accounts to the report queue, retried for two schedule periods, then the dead-letter queue', () => {
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
    const targets = rule.Targets as Record<string, never>[];
    expect(targets).toHaveLength(1);
    const [target] = targets;
    expect(render(target?.Arn)).toMatch(HUB_QUEUE);
    const deadLetters = (target?.DeadLetterConfig ?? {}) as { Arn?: unknown };
    expect(render(deadLetters.Arn)).toMatch(/^\$\{DeadLetterQueue[0-9A-F]+\.Arn\}$/);
    // a report older than two schedule periods is stale: newer ones have been sent since
    expect(target?.RetryPolicy).toEqual({
      MaximumEventAgeInSeconds: 2 * fleet.config.verifier.scheduleMinutes * 60,
      MaximumRetryAttempts: 8,
    });
  });

  it('feeds the report queue to the hub function (partial batch responses), and keeps what fails five times in its own dead-letter queue', () => {
    const queueId = onlyId(hub, 'AWS::SQS::Queue', 'ReportQueue');
    const deadId = onlyId(hub, 'AWS::SQS::Queue', 'ReportDeadLetterQueue');
    hub.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(hub.findResources('AWS::SQS::Queue')[queueId]?.Properties.VisibilityTimeout).toBe(360);
    const mappings = Object.values(hub.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.map((m) => m.Properties)).toEqual([
      {
        BatchSize: 10,
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionName: { Ref: expect.stringMatching(/^HubFunction/) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
      },
    ]);
  });

  it('lets nothing but EventBridge, for the hub rule, send to the report queue, and nothing but the hub function receive from it', () => {
    const queueId = onlyId(hub, 'AWS::SQS::Queue', 'ReportQueue');
    const ruleId = onlyId(hub, 'AWS::Events::Rule', 'Reports');
    const policies = Object.values(hub.findResources('AWS::SQS::QueuePolicy')).filter(
      (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    const ruleArn = { 'Fn::GetAtt': [ruleId, 'Arn'] };
    const queueArn = { 'Fn::GetAtt': [queueId, 'Arn'] };
    // the only allow: the EventBridge service, for this rule
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: expect.arrayContaining(['sqs:SendMessage']),
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      }),
    ]);
    const deny = (Sid: string, Action: string, Condition: unknown) =>
      expect(statements).toContainEqual({
        Sid,
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action,
        Resource: queueArn,
        Condition,
      });
    deny('OnlyTheHubRuleSendsReports', 'sqs:SendMessage', { ArnNotEquals: { 'aws:SourceArn': ruleArn } });
    deny('OnlyTheHubReceivesReports', 'sqs:ReceiveMessage', {
      ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [expect.stringMatching(/^HubRole/), 'Arn'] }] },
    });
    // and no role of the hub may send to it
    const senders = identityStatements(hub).filter(
      (s) => s.actions.includes('sqs:SendMessage') && s.resources.some((r) => HUB_QUEUE.test(r)),
    );
    expect(senders).toEqual([]);
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
    expect(render(env.HUB_QUEUE_ARN)).toMatch(HUB_QUEUE);
    expect(render(env.HUB_QUEUE_URL)).toMatch(/^\$\{ReportQueue[0-9A-F]+\}$/);
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
        // the event source mapping's reads of the report queue; ChangeMessageVisibility also proves a record's handle
        'sqs:ChangeMessageVisibility ${ReportQueueEBFFFAE8.Arn}',
        'sqs:DeleteMessage ${ReportQueueEBFFFAE8.Arn}',
        'sqs:GetQueueAttributes ${ReportQueueEBFFFAE8.Arn}',
        'sqs:GetQueueUrl ${ReportQueueEBFFFAE8.Arn}',
        'sqs:ReceiveMessage ${ReportQueueEBFFFAE8.Arn}',
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

  it('alarms on any report it dropped as forged or malformed, on the metric the hub function writes', () => {
    const [dropped] = Object.entries(hub.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.startsWith('AlertingReportsDropped'),
    );
    expect(dropped?.[1].Properties).toMatchObject({
      MetricName: METRIC.reportsDropped,
      Namespace: 'KopsApiSentinel',
      Dimensions: [{ Name: 'service', Value: 'kops-api-sentinel' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it("alarms on its own failures: the hub and notifier functions and the dead-letter queues (the report queue's too), to the fleet's topic", () => {
    const ids = Object.keys(hub.findResources('AWS::CloudWatch::Alarm'))
      .filter((id) => !id.startsWith('AlertingReportsMissing'))
      .map((id) => id.replace(/[0-9A-F]{8}$/, ''))
      .sort();
    expect(ids).toEqual([
      'AlertingDeadLetterQueueNotEmpty',
      'AlertingHubErrors',
      'AlertingNotificationDeadLetterQueueNotEmpty',
      'AlertingNotifierErrors',
      'AlertingReportDeadLetterQueueNotEmpty',
      'AlertingReportsDropped',
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
