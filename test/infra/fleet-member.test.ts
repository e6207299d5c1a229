import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../functions/core/alerts/events.ts';
import { HUB_BUS_NAME } from '../../functions/core/fleet/plan.ts';
import type { SentinelStack } from '../../lib/sentinel-stack.ts';
import { HUB_ACCOUNT, HUB_REGION, type SynthesizedFleet, sharedFleet, templateOf } from './fleet-helpers.ts';
import { functionStatements, identityStatements, render, SYNTH_TIMEOUT_MS } from './helpers.ts';

const HUB_BUS_ARN = `arn:aws:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/${HUB_BUS_NAME}`;

let fleet: SynthesizedFleet;
beforeAll(() => {
  fleet = sharedFleet();
}, SYNTH_TIMEOUT_MS);

function eachMember(
  check: (stack: SentinelStack, plan: SynthesizedFleet['plan']['members'][number]) => void,
) {
  expect(fleet.plan.members).toHaveLength(4);
  for (const plan of fleet.plan.members) {
    const stack = fleet.fleet.members.find((s) => s.node.id === plan.id) as SentinelStack;
    check(stack, plan);
  }
}

function onlyResource(stack: SentinelStack, type: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(templateOf(fleet, stack.node.id).findResources(type));
  expect(found, type).toHaveLength(1);
  const [id, r] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { id, props: r.Properties };
}

describe('a fleet member (with a hub)', () => {
  it('has its report bus, named from the plan, which only its registrar and verifier may put events on', () => {
    eachMember((stack, plan) => {
      const bus = onlyResource(stack, 'AWS::Events::EventBus');
      expect(bus.props.Name).toBe(plan.reportBusName);
      const policy = onlyResource(stack, 'AWS::Events::EventBusPolicy').props;
      expect(policy.EventBusName).toEqual({ Ref: bus.id });
      const statement = policy.Statement as Record<string, unknown>;
      expect(statement).toMatchObject({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
      });
      const allowed = (
        statement.Condition as { ArnNotEquals: { 'aws:PrincipalArn': unknown[] } }
      ).ArnNotEquals['aws:PrincipalArn'].map(render);
      expect(allowed.sort()).toEqual(
        [stack.registrar.role, stack.verifier.role]
          .map((r) => `\${${stack.getLogicalId(r.node.defaultChild as never)}.Arn}`)
          .sort(),
      );
    });
  });

  it('forwards Findings Reported to the hub bus ARN with its forwarding role for two schedule periods, and keeps what it cannot forward', () => {
    eachMember((stack, plan) => {
      const template = templateOf(fleet, stack.node.id);
      const bus = onlyResource(stack, 'AWS::Events::EventBus');
      const rules = Object.values(template.findResources('AWS::Events::Rule')).filter(
        (r) => JSON.stringify(r.Properties.EventBusName) === JSON.stringify({ Ref: bus.id }),
      );
      expect(rules).toHaveLength(1);
      const rule = rules[0]?.Properties as Record<string, unknown>;
      expect(rule.EventPattern).toEqual({
        source: [EVENT_SOURCE],
        'detail-type': ['Findings Reported'],
        account: [plan.account],
      });
      const [target] = rule.Targets as Record<string, unknown>[];
      expect(target?.Arn).toBe(HUB_BUS_ARN);
      const roles = template.findResources('AWS::IAM::Role', {
        Properties: { RoleName: plan.forwardRoleName },
      });
      const [roleId] = Object.keys(roles);
      expect(target?.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
      expect(render(target?.DeadLetterConfig && (target.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(
        `\${${stack.getLogicalId(stack.deadLetterQueue.node.defaultChild as never)}.Arn}`,
      );
      // not EventBridge's default 24 h: a report older than two schedule periods is stale
      expect(target?.RetryPolicy).toEqual({
        MaximumEventAgeInSeconds: 2 * fleet.config.verifier.scheduleMinutes * 60,
        MaximumRetryAttempts: 8,
      });
    });
  });

  it('trusts only EventBridge for its own rule with the forwarding role, which may put events on the hub bus only', () => {
    eachMember((stack, plan) => {
      const template = templateOf(fleet, stack.node.id);
      const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(
        ([, r]) => r.Properties.RoleName === plan.forwardRoleName,
      );
      expect(roles).toHaveLength(1);
      const [roleId, role] = roles[0] as [string, { Properties: Record<string, never> }];
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': plan.account, 'aws:SourceArn': expect.anything() },
            },
          },
        ],
      });
      const trust = role.Properties.AssumeRolePolicyDocument as unknown as {
        Statement: { Condition: { StringEquals: Record<string, unknown> } }[];
      };
      const sourceArn = render(trust.Statement[0]?.Condition.StringEquals['aws:SourceArn']);
      expect(sourceArn).toBe(
        `arn:\${AWS::Partition}:events:${plan.region}:${plan.account}:rule/${plan.reportBusName}/${plan.stackName}-to-hub`,
      );
      const statements = identityStatements(template).filter((s) => {
        const policy = template.findResources('AWS::IAM::Policy')[s.policy];
        return JSON.stringify(policy?.Properties.Roles) === JSON.stringify([{ Ref: roleId }]);
      });
      expect(
        statements.map((s) => ({ effect: s.Effect, actions: s.actions, resources: s.resources })),
      ).toEqual([{ effect: 'Allow', actions: ['events:PutEvents'], resources: [HUB_BUS_ARN] }]);
    });
  });

  it('gives the registrar and verifier REPORT_BUS_NAME and the state table, and no alert topic', () => {
    eachMember((stack) => {
      const template = templateOf(fleet, stack.node.id);
      const bus = onlyResource(stack, 'AWS::Events::EventBus');
      for (const fn of [stack.registrar, stack.verifier]) {
        const id = stack.getLogicalId(fn.function.node.defaultChild as never);
        const env = template.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables;
        expect(env.REPORT_BUS_NAME).toEqual({ Ref: bus.id });
        expect(env.ALERT_TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^OperationsState/) });
        expect(env.ALERT_TOPIC_ARN).toBeUndefined();
        expect(env.EVENT_BUS_NAME).toBe('default');
      }
    });
  });

  it('grants the functions exactly the follow-up claim calls on the table and PutEvents of their own source on the report bus', () => {
    eachMember((stack) => {
      const template = templateOf(fleet, stack.node.id);
      for (const prefix of ['RegistrarFunction', 'VerifierFunction']) {
        const statements = functionStatements(template, prefix);
        const dynamo = statements.filter((s) => s.actions.some((a) => a.startsWith('dynamodb:')));
        expect(dynamo.map((s) => [s.Sid, s.actions, s.resources])).toEqual([
          [
            'ReadWriteFollowUpClaims',
            ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
            [expect.stringMatching(/^\$\{OperationsState[0-9A-F]+\.Arn\}$/)],
          ],
        ]);
        const reports = statements.find((s) => s.Sid === 'PutReports');
        expect(reports?.actions).toEqual(['events:PutEvents']);
        expect(reports?.resources).toEqual([expect.stringMatching(/^\$\{ReportsBus[0-9A-F]+\.Arn\}$/)]);
        expect(reports?.Condition).toEqual({ StringEquals: { 'events:source': EVENT_SOURCE } });
        expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('sns:'))).toEqual([]);
      }
    });
  });

  it('holds no alert topic, Slack or Chatbot: its own alarms go to a small local topic, e-mailed', () => {
    eachMember((stack) => {
      const template = templateOf(fleet, stack.node.id);
      expect(stack.alerting).toBeUndefined();
      const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
      expect(topics).toEqual([expect.stringMatching(/^OperationsTopic/)]);
      expect(template.findResources('AWS::Chatbot::SlackChannelConfiguration')).toEqual({});
      expect(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Environment: { Variables: { SLACK_SECRET_NAME: Match.anyValue() } } },
        }),
      ).toEqual({});
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
      expect(Object.keys(template.findResources('AWS::SNS::Subscription'))).toHaveLength(1);
      const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
        [
          'OperationsDeadLetterQueueNotEmpty',
          'OperationsFollowUpDeadLetterQueueNotEmpty',
          'OperationsRegistrarErrors',
          'OperationsVerifierErrors',
          expect.stringMatching(/^OperationsVerifierStalled/),
        ].sort(),
      );
      for (const [, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
      }
    });
  });

  it('allows no mutating action on Resource "*" in any member (Lambda network interfaces aside)', () => {
    eachMember((stack) => {
      const wide = identityStatements(templateOf(fleet, stack.node.id))
        .filter(
          (s) =>
            s.Effect === 'Allow' && s.resources.includes('*') && s.Sid !== 'ManageFunctionNetworkInterfaces',
        )
        .flatMap((s) => s.actions.filter((a) => !/:(Describe|Get|List)/.test(a)));
      expect(wide).toEqual([]);
    });
  });
});
