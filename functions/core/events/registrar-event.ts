import { MalformedEventError } from './errors.ts';
import { checked, checkOrigin, clip, quote, type StackOrigin } from './limits.ts';

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

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string')
    throw new MalformedEventError(`${path}.${key}`, `must be a string, found ${quote(v)}`);
  if (v.length === 0) throw new MalformedEventError(`${path}.${key}`, 'must not be empty');
  return v;
}

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
  const eventName = str(detail, 'eventName', 'detail');
  if (!DETACH_CALLS.has(eventName))
    throw new MalformedEventError(
      'detail.eventName',
      `is not a call the registrar handles: ${quote(eventName)}`,
    );
  const params = detail.requestParameters;
  if (!isObj(params)) throw new MalformedEventError('detail.requestParameters', 'must be an object');
  const group = checked(
    'group',
    params.autoScalingGroupName,
    'detail.requestParameters.autoScalingGroupName',
  );
  return { kind: 'group-changed', group, reason: `${eventName} called`, eventId };
}

export function parseRegistrarEvent(input: unknown, origin: StackOrigin): RegistrarEvent {
  if (!isObj(input)) throw new MalformedEventError('event', 'must be a JSON object');
  if (input.action === 'reconcile') {
    if (input.cluster === undefined) return { kind: 'reconcile' };
    return { kind: 'reconcile', cluster: checked('cluster', input.cluster, 'cluster') };
  }
  const detailType = str(input, 'detail-type', 'event');
  const source = str(input, 'source', 'event');
  if (source !== 'aws.autoscaling')
    throw new MalformedEventError('event.source', `must be "aws.autoscaling", found ${quote(source)}`);
  checkOrigin(input, origin);
  const eventId = input.id === undefined ? '' : checked('eventId', input.id, 'event.id');
  const detail = input.detail;
  if (!isObj(detail)) throw new MalformedEventError('event.detail', 'must be an object');
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
