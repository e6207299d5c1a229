import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import type { HubPlan, MemberPlan } from '../functions/core/fleet/plan.ts';
import type { Alerting } from './constructs/alerting.ts';
import { AutoScalingRules } from './constructs/autoscaling-rules.ts';
import { SentinelDashboard } from './constructs/dashboard.ts';
import { kopsSpecReadStatements, loadBalancerTagReadStatement } from './constructs/kops-permissions.ts';
import { hubReports, localAlerts, type MemberAlerts } from './constructs/member-alerts.ts';
import {
  caReadStatements,
  controlPlaneReadStatement,
  onlyTheseRolesStatement,
  putDefaultBusEventsStatement,
  registrarMutationStatements,
} from './constructs/permissions.ts';
import { encryptedQueue } from './constructs/queues.ts';
import { assertLocalEsbuild, SentinelFunction } from './constructs/sentinel-function.ts';
import { VerifierPlacement } from './constructs/verifier-placement.ts';
import { acknowledge, acknowledgeWildcardResources } from './nag.ts';

export interface SentinelStackProps extends StackProps {
  /** The validated deployment configuration (`loadConfigFile` / `parseConfig`). */
  readonly config: SentinelConfig;
  /**
   * With `alerts.hub`: this member and the fleet's hub (planFleet), so the member reports to the
   * hub instead of alerting itself (docs/fleet.md).
   */
  readonly fleet?: { readonly member: MemberPlan; readonly hub: HubPlan };
  /** Without a hub: the Chatbot configuration's name, unique in the account (planFleet's chatbotName). */
  readonly chatbotName?: string;
}

/** Handler entries, relative to the project root. */
export const ENTRIES = {
  registrar: 'functions/registrar/handler.ts',
  verifier: 'functions/verifier/handler.ts',
  notifier: 'functions/notifier/handler.ts',
  /** A fleet's hub: applies the alert policy to the members' reports (docs/fleet.md). */
  hub: 'functions/hub/handler.ts',
};

const REGISTRAR_TIMEOUT = Duration.minutes(2);
const VERIFIER_TIMEOUT = Duration.minutes(3);

function roleArnOf(fn: SentinelFunction): string {
  const role = fn.function.role;
  if (!role) throw new Error(`${fn.node.id} has no execution role`);
  return role.roleArn;
}

/**
 * kops-api-sentinel: the registrar keeps the internal API load balancer attached to the
 * control-plane Auto Scaling groups and the instances registered; the verifier proves from the
 * node subnets that it passes TLS through to the apiserver; alerts go through one topic.
 */
export class SentinelStack extends Stack {
  readonly registrar: SentinelFunction;
  readonly verifier: SentinelFunction;
  /** Where alerts go: the member's own alerting, or its reports to the fleet's hub. */
  readonly alerts: MemberAlerts;
  /** Without a hub: the member's own alert table, topic and Slack wiring. */
  readonly alerting?: Alerting;
  readonly deadLetterQueue: sqs.Queue;
  readonly followUpQueue: sqs.Queue;
  readonly followUpDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SentinelStackProps) {
    super(scope, id, props);
    assertLocalEsbuild();
    const { config, fleet } = props;
    if (config.alerts.hub && !fleet)
      throw new Error(
        `${id}: alerts.hub is set, so the stack needs its member and hub plan (the fleet prop; lib/fleet.ts builds it)`,
      );
    // First, so a config the verifier cannot be placed with fails before anything is bundled.
    const placement = new VerifierPlacement(this, 'VerifierPlacement', config);

    // Events EventBridge could not deliver, and asynchronous invocations that failed every retry.
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue');
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'it is the dead-letter queue: of the EventBridge targets and of Lambda on-failure destinations, which no redrive policy names',
    );

    // Re-checks of newly registered instances: the registrar sends a delayed message, the verifier
    // checks and sends another until the instance passes or its deadline passes.
    this.followUpDeadLetterQueue = encryptedQueue(this, 'FollowUpDeadLetterQueue');
    this.followUpQueue = encryptedQueue(this, 'FollowUpQueue', {
      retentionPeriod: Duration.days(1),
      // Lambda's guidance for SQS event sources: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(VERIFIER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.followUpDeadLetterQueue, maxReceiveCount: 5 },
    });

    if (fleet) {
      this.alerts = hubReports(this, { config, ...fleet, deadLetterQueue: this.deadLetterQueue });
    } else {
      const local = localAlerts(this, config, ENTRIES.notifier, props.chatbotName);
      this.alerts = local;
      this.alerting = local.alerting;
    }

    const environment = {
      ...this.alerts.environment,
      EVENT_BUS_NAME: 'default',
      FOLLOW_UP_QUEUE_URL: this.followUpQueue.queueUrl,
    };
    const asyncInvoke = {
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetterQueue),
    };

    this.registrar = new SentinelFunction(this, 'Registrar', {
      entry: ENTRIES.registrar,
      description:
        'kops-api-sentinel: keeps the internal API load balancer attached to control-plane groups and registered',
      timeout: REGISTRAR_TIMEOUT,
      config,
      environment,
      async: asyncInvoke,
    });

    this.verifier = new SentinelFunction(this, 'Verifier', {
      entry: ENTRIES.verifier,
      description:
        'kops-api-sentinel: verifies listeners, health checks, registration and TLS from the node subnets',
      timeout: VERIFIER_TIMEOUT,
      config,
      environment,
      async: { ...asyncInvoke, maxEventAge: Duration.hours(1) },
      // a burst of load-balancer changes must not start a verification each at once
      reservedConcurrency: 3,
      vpc: placement.vpc,
      vpcSubnets: placement.vpcSubnets,
      securityGroups: placement.securityGroups,
      // verifier.ipv6: AAAA addresses and IPv6-only instances are probed, so the function needs IPv6 egress
      ipv6AllowedForDualStack: config.verifier.ipv6,
    });
    this.verifier.function.addEventSource(
      // A rolling update queues one follow-up per instance; two concurrent verifiers are plenty.
      new SqsEventSource(this.followUpQueue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    // IAM: reads may use `*`; every mutation names its resources.
    for (const fn of [this.registrar.function, this.verifier.function]) {
      fn.addToRolePolicy(controlPlaneReadStatement());
      fn.addToRolePolicy(putDefaultBusEventsStatement(this));
      this.alerts.grant(fn);
      this.followUpQueue.grantSendMessages(fn);
    }
    // Only the sentinel's own roles may send follow-ups: a message from anyone else in the account
    // is refused by SQS (the verifier also checks every message against AWS).
    const ownRoles = [this.registrar, this.verifier].map((fn) => roleArnOf(fn));
    this.alerts.admitOnly(ownRoles);
    this.followUpQueue.addToResourcePolicy(
      onlyTheseRolesStatement(
        'OnlyTheSentinelSendsFollowUps',
        'sqs:SendMessage',
        this.followUpQueue.queueArn,
        ownRoles,
      ),
    );
    const mutations = registrarMutationStatements(config.clusters);
    for (const statement of mutations) {
      this.registrar.function.addToRolePolicy(statement);
    }
    acknowledgeWildcardResources(
      this.registrar.role,
      mutations,
      'kops control-plane group ARNs carry a generated group id and an instance-group name prefix; the name suffix, the cluster tag condition and the named load balancers bound them',
    );
    const caReads = caReadStatements(config.clusters);
    for (const statement of caReads) {
      this.verifier.function.addToRolePolicy(statement);
    }
    acknowledgeWildcardResources(
      this.verifier.role,
      caReads,
      'kops writes one nodeup config per node instance group under igconfig/node/<group>/; the grant is exactly that object name in every group of the cluster, never pki/',
    );
    const kopsReads = kopsSpecReadStatements(config.clusters);
    for (const statement of [...kopsReads, loadBalancerTagReadStatement()]) {
      this.verifier.function.addToRolePolicy(statement);
    }
    acknowledgeWildcardResources(
      this.verifier.role,
      kopsReads,
      'kops writes one spec per instance group under instancegroup/<group>; the grant is that folder of the cluster only, never pki/',
    );

    new AutoScalingRules(this, 'Rules', {
      clusterNames: config.clusters.map((c) => c.name),
      classicNames: config.clusters.flatMap((c) => c.loadBalancers.classic),
      targetGroupArns: config.clusters.flatMap((c) => c.loadBalancers.targetGroupArns),
      networkLoadBalancerArns: config.clusters.flatMap((c) => c.loadBalancers.networkLoadBalancerArns ?? []),
      registrar: this.registrar.function,
      verifier: this.verifier.function,
      deadLetterQueue: this.deadLetterQueue,
      scheduleMinutes: config.verifier.scheduleMinutes,
    });

    // Operational alarms, to the alert topic (no hub) or the member's own alarm topic (with a hub:
    // a stalled verifier is alarmed here too, besides the hub's alarm on missing reports).
    const { book } = this.alerts;
    const functions: [string, SentinelFunction][] = [
      ['Registrar', this.registrar],
      ['Verifier', this.verifier],
      ...this.alerts.functions,
    ];
    for (const [name, fn] of functions) book.onErrors(name, fn.function);
    const queues: [string, sqs.IQueue][] = [
      ['DeadLetterQueue', this.deadLetterQueue],
      ['FollowUpDeadLetterQueue', this.followUpDeadLetterQueue],
      ...this.alerts.queues,
    ];
    for (const [name, queue] of queues) book.onDeadLetters(name, queue);
    const clusterNames = config.clusters.map((c) => c.name);
    book.onMissingVerifications(clusterNames, config.verifier.scheduleMinutes);
    new SentinelDashboard(this, 'Dashboard', {
      clusters: clusterNames,
      scheduleMinutes: config.verifier.scheduleMinutes,
    });

    if (placement.dedicatedSecurityGroup) {
      new CfnOutput(this, 'VerifierSecurityGroupId', {
        value: placement.dedicatedSecurityGroup.securityGroupId,
      });
    }
    this.alerts.addOutputs(this);
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'FollowUpDeadLetterQueueUrl', { value: this.followUpDeadLetterQueue.queueUrl });
  }
}
