/**
 * Builds Auto Scaling and CloudTrail events in the shape EventBridge delivers them (see the AWS
 * documentation of `aws.autoscaling` events), for tests and the rehearsal.
 */
let counter = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

export type AutoScalingDetailType =
  | 'EC2 Instance Launch Successful'
  | 'EC2 Instance Launch Unsuccessful'
  | 'EC2 Instance Terminate Successful'
  | 'EC2 Instance Terminate Unsuccessful'
  | 'EC2 Instance-launch Lifecycle Action'
  | 'EC2 Instance-terminate Lifecycle Action';

export function autoScalingEvent(
  detailType: AutoScalingDetailType,
  group: string,
  instanceId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const now = new Date().toISOString();
  const lifecycle = detailType.includes('Lifecycle Action');
  const detail: Record<string, unknown> = lifecycle
    ? {
        LifecycleActionToken: nextId(),
        AutoScalingGroupName: group,
        LifecycleHookName: 'kops-api-sentinel-launch',
        EC2InstanceId: instanceId,
        LifecycleTransition: detailType.includes('launch')
          ? 'autoscaling:EC2_INSTANCE_LAUNCHING'
          : 'autoscaling:EC2_INSTANCE_TERMINATING',
      }
    : {
        StatusCode: detailType.includes('Unsuccessful') ? 'Failed' : 'InProgress',
        AutoScalingGroupName: group,
        ActivityId: nextId(),
        Details: { 'Availability Zone': 'eu-west-1a', 'Subnet ID': 'subnet-0a1b2c3d4e5f60718' },
        StatusMessage: '',
        EndTime: now,
        EC2InstanceId: instanceId,
        StartTime: now,
        Cause: 'rehearsal',
      };
  return {
    version: '0',
    id: nextId(),
    'detail-type': detailType,
    source: 'aws.autoscaling',
    account: '123456789012',
    time: now,
    region: process.env.AWS_REGION ?? 'eu-west-1',
    resources: [],
    detail: { ...detail, ...extra },
  };
}

/** The CloudTrail record of `kops update cluster` detaching a load balancer it does not own. */
export function detachEvent(
  group: string,
  loadBalancerNames: string[],
  targetGroupArns: string[] = [],
): Record<string, unknown> {
  return {
    ...envelope('AWS API Call via CloudTrail', 'aws.autoscaling'),
    detail: {
      eventSource: 'autoscaling.amazonaws.com',
      eventName: targetGroupArns.length > 0 ? 'DetachLoadBalancerTargetGroups' : 'DetachLoadBalancers',
      userAgent: 'kops/1.30.1',
      requestParameters: {
        autoScalingGroupName: group,
        ...(loadBalancerNames.length ? { loadBalancerNames } : {}),
        ...(targetGroupArns.length ? { targetGroupARNs: targetGroupArns } : {}),
      },
    },
  };
}

/** The CloudTrail record of a load-balancer change (listener, registration, health check) that wakes the verifier. */
export function loadBalancerChangeEvent(eventName: string): Record<string, unknown> {
  return {
    ...envelope('AWS API Call via CloudTrail', 'aws.elasticloadbalancing'),
    detail: { eventSource: 'elasticloadbalancing.amazonaws.com', eventName },
  };
}

/** The EventBridge envelope of an event from the sandbox account and region. */
function envelope(detailType: string, source: string): Record<string, unknown> {
  return {
    version: '0',
    id: nextId(),
    'detail-type': detailType,
    source,
    account: '123456789012',
    time: new Date().toISOString(),
    region: process.env.AWS_REGION ?? 'eu-west-1',
    resources: [],
  };
}
