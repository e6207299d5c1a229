import { MalformedEventError } from './errors.ts';
import { checked, checkOrigin, clip, quote, type StackOrigin } from './limits.ts';
import { detailField, eventField, parseShape, shapeOf } from './parse-shape.ts';
import { CloudTrailDetailSchema, EventEnvelopeSchema, ReconcileRequestSchema } from './schemas.ts';

export { MalformedEventError } from './errors.ts';

/**
 * The registrar's input, parsed: Auto Scaling events from EventBridge, CloudTrail records of
 * load balancers being detached, and the scheduled sweep. Anything else is malformed: it is
 * rejected with an error naming the field, and the handler does not let it be retried.
 *
 * An event only says where to look. It is believed no further than this: it must come from the
 * stack's own account and region, and every name and id in it must be within AWS's limits for
 * its kind, before any AWS call is made with it. What happens to an instance is then decided by
 * what Auto Scaling and EC2 answer, not by the event (see the registrar).
 *
 * `{"action":"reconcile"}` (the schedule, or an operator's invoke) carries no account: it is
 * accepted without one, because it names nothing but a configured cluster, and the sweep reads
 * everything it acts on from AWS.
 */
export interface LifecycleHook {
  name: string;
  token: string;
}

export type RegistrarEvent =
  | { kind: 'launch'; group: string; instanceId: string; hook?: LifecycleHook; eventId: string }
  | { kind: 'terminate'; group: string; instanceId: string; hook?: LifecycleHook; eventId: string }
  | { kind: 'launch-failed'; group: string; reason: string; eventId: string }
  | { kind: 'group-changed'; group: string; reason: string; eventId: string }
  | { kind: 'reconcile'; cluster?: string };

type Obj = Record<string, unknown>;

function hook(detail: Obj): LifecycleHook | undefined {
  if (detail.LifecycleActionToken === undefined && detail.LifecycleHookName === undefined) return undefined;
  return {
    name: checked('hookName', detail.LifecycleHookName, 'detail.LifecycleHookName'),
    token: checked('token', detail.LifecycleActionToken, 'detail.LifecycleActionToken'),
  };
}

/** The Auto Scaling calls whose CloudTrail records the registrar acts on (lib/constructs/autoscaling-rules.ts routes them). */
const DETACH_CALLS = new Set([
  'DetachLoadBalancers',
  'DetachLoadBalancerTargetGroups',
  'DetachTrafficSources',
]);

function parseCloudTrail(detail: Obj, eventId: string): RegistrarEvent {
  const { eventName, requestParameters: params } = parseShape(CloudTrailDetailSchema(), detail, detailField);
  if (!DETACH_CALLS.has(eventName))
    throw new MalformedEventError(
      'detail.eventName',
      `is not a call the registrar handles: ${quote(eventName)}`,
    );
  const group = checked(
    'group',
    params.autoScalingGroupName,
    'detail.requestParameters.autoScalingGroupName',
  );
  return { kind: 'group-changed', group, reason: `${eventName} called`, eventId };
}

/** Parses with Powertools Parser on the schemas of schemas.ts, then checks values against AWS's limits. */
export function parseRegistrarEvent(input: unknown, origin: StackOrigin): RegistrarEvent {
  const sweep = shapeOf(ReconcileRequestSchema(), input);
  if (sweep) {
    if (sweep.cluster === undefined) return { kind: 'reconcile' };
    return { kind: 'reconcile', cluster: checked('cluster', sweep.cluster, 'cluster') };
  }
  const event = parseShape(EventEnvelopeSchema(), input, eventField);
  const { 'detail-type': detailType, source, detail } = event;
  if (source !== 'aws.autoscaling')
    throw new MalformedEventError('event.source', `must be "aws.autoscaling", found ${quote(source)}`);
  checkOrigin(event, origin);
  const eventId = event.id === undefined ? '' : checked('eventId', event.id, 'event.id');
  if (detailType === 'AWS API Call via CloudTrail') return parseCloudTrail(detail, eventId);
  const group = checked('group', detail.AutoScalingGroupName, 'detail.AutoScalingGroupName');
  const instanceId = () => checked('instanceId', detail.EC2InstanceId, 'detail.EC2InstanceId');
  switch (detailType) {
    case 'EC2 Instance Launch Successful':
    case 'EC2 Instance-launch Lifecycle Action': {
      const id = instanceId();
      const h = hook(detail);
      return { kind: 'launch', group, instanceId: id, ...(h ? { hook: h } : {}), eventId };
    }
    case 'EC2 Instance Terminate Successful':
    case 'EC2 Instance-terminate Lifecycle Action': {
      const id = instanceId();
      const h = hook(detail);
      return { kind: 'terminate', group, instanceId: id, ...(h ? { hook: h } : {}), eventId };
    }
    case 'EC2 Instance Launch Unsuccessful': {
      const msg = clip(detail.StatusMessage);
      return { kind: 'launch-failed', group, reason: msg || 'no status message', eventId };
    }
    case 'EC2 Instance Terminate Unsuccessful':
      return { kind: 'group-changed', group, reason: 'a termination failed', eventId };
    default:
      throw new MalformedEventError(
        'event.detail-type',
        `${quote(detailType)} is not an event the registrar handles`,
      );
  }
}
