import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The Auto Scaling events the registrar acts on (note the hyphen in the lifecycle ones). */
export const AUTOSCALING_DETAIL_TYPES = [
  'EC2 Instance Launch Successful',
  'EC2 Instance Launch Unsuccessful',
  'EC2 Instance Terminate Successful',
  'EC2 Instance Terminate Unsuccessful',
  'EC2 Instance-launch Lifecycle Action',
  'EC2 Instance-terminate Lifecycle Action',
];

/** Auto Scaling API calls that take a load balancer away from a group: the registrar repairs them. */
export const AUTOSCALING_DETACH_CALLS = [
  'DetachLoadBalancers',
  'DetachLoadBalancerTargetGroups',
  'DetachTrafficSources',
];

/** Load balancer API calls that change registration, listeners or health checks: the verifier re-checks. */
export const LOAD_BALANCER_CHANGE_CALLS = [
  'DeregisterInstancesFromLoadBalancer',
  'DeregisterTargets',
  'ConfigureHealthCheck',
  'DeleteLoadBalancerListeners',
  'CreateLoadBalancerListeners',
  'ModifyListener',
  'DeleteListener',
  'ModifyTargetGroup',
  'SetLoadBalancerListenerSSLCertificate',
  'CreateListener',
  'RegisterTargets',
  'RegisterInstancesWithLoadBalancer',
  'DeleteLoadBalancer',
  'DeleteTargetGroup',
];

/** Network load balancer calls that name a listener or a load balancer and may name a target group. */
const LISTENER_CALLS_NAMING_TARGET_GROUPS = ['CreateListener', 'ModifyListener'];

/** `…:loadbalancer/net/<name>/<id>` → the prefix of its listeners' ARNs, `…:listener/net/<name>/<id>/`. */
export function listenerArnPrefix(networkLoadBalancerArn: string): string {
  return `${networkLoadBalancerArn.replace(':loadbalancer/net/', ':listener/net/')}/`;
}

/** The group-name suffixes of a cluster's API backends: control-plane and API-server groups. */
export function apiBackendGroupSuffixes(cluster: string): string[] {
  return [`.masters.${cluster}`, `.apiservers.${cluster}`];
}

export interface AutoScalingRulesProps {
  readonly clusterNames: string[];
  /** The account and region events must come from (default: the stack's; tokens when it has no env). */
  readonly account?: string;
  readonly region?: string;
  /** The configured internal load balancers: only their changes wake the verifier. */
  readonly classicNames: string[];
  readonly targetGroupArns: string[];
  /** Their network load balancers, when configured: listener and load balancer calls are matched by these. */
  readonly networkLoadBalancerArns: string[];
  readonly registrar: lambda.IFunction;
  readonly verifier: lambda.IFunction;
  /** Where events go that EventBridge could not deliver. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly scheduleMinutes: number;
}

/**
 * The EventBridge rules on the default bus: control-plane Auto Scaling events and API calls go to
 * the registrar, load balancer changes to the verifier, and a schedule drives both. Every target
 * has explicit retries, a maximum event age and a dead-letter queue.
 */
export class AutoScalingRules extends Construct {
  readonly lifecycleRule: events.Rule;
  readonly autoScalingApiCallRule: events.Rule;
  readonly loadBalancerApiCallRule: events.Rule;
  readonly scheduleRule: events.Rule;

  constructor(scope: Construct, id: string, props: AutoScalingRulesProps) {
    super(scope, id);
    // kops names control-plane groups `<instance-group>.masters.<cluster>` (master-<zone> before
    // 1.26, control-plane-<zone> after) and API-server node groups `<ig>.apiservers.<cluster>`;
    // both run kube-apiserver. The registrar still confirms the group by its tags before acting.
    const controlPlaneGroup = events.Match.anyOf(
      ...props.clusterNames.flatMap((name) =>
        apiBackendGroupSuffixes(name).map((s) => events.Match.suffix(s)),
      ),
    );
    // Only events of this stack's own account and region (the handlers check it again).
    const stack = Stack.of(this);
    const origin = { account: [props.account ?? stack.account], region: [props.region ?? stack.region] };

    const eventTarget = (fn: lambda.IFunction, maxEventAge: Duration, input?: events.RuleTargetInput) =>
      new targets.LambdaFunction(fn, {
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge,
        ...(input ? { event: input } : {}),
      });

    this.lifecycleRule = new events.Rule(this, 'ControlPlaneInstanceEvents', {
      description:
        'kops-api-sentinel: launch, terminate and lifecycle-action events of control-plane Auto Scaling groups',
      eventPattern: {
        ...origin,
        source: ['aws.autoscaling'],
        detailType: AUTOSCALING_DETAIL_TYPES,
        detail: { AutoScalingGroupName: controlPlaneGroup },
      },
      targets: [eventTarget(props.registrar, Duration.hours(6))],
    });

    // `AWS API Call via CloudTrail` events reach EventBridge only when the account has a CloudTrail
    // trail recording management (write) events in this region. Without one, these two rules never
    // fire and drift is found by the scheduled runs alone.
    this.autoScalingApiCallRule = new events.Rule(this, 'ControlPlaneDetachCalls', {
      description:
        'kops-api-sentinel: load balancers detached from control-plane Auto Scaling groups (needs a CloudTrail trail)',
      eventPattern: {
        ...origin,
        source: ['aws.autoscaling'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['autoscaling.amazonaws.com'],
          eventName: AUTOSCALING_DETACH_CALLS,
          requestParameters: { autoScalingGroupName: controlPlaneGroup },
        },
      },
      targets: [eventTarget(props.registrar, Duration.hours(6))],
    });

    this.loadBalancerApiCallRule = new events.Rule(this, 'LoadBalancerChangeCalls', {
      description:
        'kops-api-sentinel: load balancer registration, listener and health-check changes (needs a CloudTrail trail)',
      eventPattern: {
        ...origin,
        source: ['aws.elasticloadbalancing'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['elasticloadbalancing.amazonaws.com'],
          eventName: LOAD_BALANCER_CHANGE_CALLS,
          // only the configured load balancers: by classic name, by target group (also in a
          // listener's forward actions), and by the configured network load balancers' ARNs
          $or: [
            ...(props.classicNames.length
              ? [{ requestParameters: { loadBalancerName: props.classicNames } }]
              : []),
            ...(props.targetGroupArns.length
              ? [
                  { requestParameters: { targetGroupArn: props.targetGroupArns } },
                  {
                    eventName: LISTENER_CALLS_NAMING_TARGET_GROUPS,
                    requestParameters: { defaultActions: { targetGroupArn: props.targetGroupArns } },
                  },
                  {
                    eventName: LISTENER_CALLS_NAMING_TARGET_GROUPS,
                    requestParameters: {
                      defaultActions: {
                        forwardConfig: { targetGroups: { targetGroupArn: props.targetGroupArns } },
                      },
                    },
                  },
                ]
              : []),
            ...(props.networkLoadBalancerArns.length
              ? [
                  { requestParameters: { loadBalancerArn: props.networkLoadBalancerArns } },
                  {
                    requestParameters: {
                      listenerArn: events.Match.anyOf(
                        ...props.networkLoadBalancerArns.map((arn) =>
                          events.Match.prefix(listenerArnPrefix(arn)),
                        ),
                      ),
                    },
                  },
                ]
              : []),
          ],
        },
      },
      targets: [eventTarget(props.verifier, Duration.hours(1))],
    });

    // A scheduled event older than one period is superseded by the next one.
    const period = Duration.minutes(props.scheduleMinutes);
    const scheduleAge = Duration.seconds(Math.max(60, Math.min(period.toSeconds(), 86_400)));
    this.scheduleRule = new events.Rule(this, 'Schedule', {
      description: `kops-api-sentinel: reconcile and verify every ${props.scheduleMinutes} minute(s)`,
      schedule: events.Schedule.rate(period),
      targets: [
        eventTarget(props.registrar, scheduleAge, events.RuleTargetInput.fromObject({ action: 'reconcile' })),
        eventTarget(props.verifier, scheduleAge, events.RuleTargetInput.fromObject({ action: 'verify' })),
      ],
    });
  }
}
