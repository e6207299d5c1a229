/**
 * The registrar's input, parsed: Auto Scaling events from EventBridge, CloudTrail records of
 * load balancers being detached, and the scheduled sweep. Anything else is malformed: it is
 * rejected with an error naming the field, and the handler does not let it be retried.
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

export class MalformedEventError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`malformed event: ${field} ${problem}`);
    this.name = 'MalformedEventError';
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, path: string, opts: { allowEmpty?: boolean } = {}): string {
  const v = o[key];
  if (typeof v !== 'string')
    throw new MalformedEventError(
      `${path}.${key}`,
      `must be a string, found ${JSON.stringify(v) ?? 'nothing'}`,
    );
  if (!opts.allowEmpty && v.length === 0)
    throw new MalformedEventError(`${path}.${key}`, 'must not be empty');
  return v;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function instanceId(detail: Obj): string {
  const id = str(detail, 'EC2InstanceId', 'detail');
  if (!INSTANCE_ID.test(id))
    throw new MalformedEventError(
      'detail.EC2InstanceId',
      `must look like i-0123456789abcdef0, found "${id}"`,
    );
  return id;
}

function hook(detail: Obj): LifecycleHook | undefined {
  if (detail.LifecycleActionToken === undefined && detail.LifecycleHookName === undefined) return undefined;
  return {
    name: str(detail, 'LifecycleHookName', 'detail'),
    token: str(detail, 'LifecycleActionToken', 'detail'),
  };
}

function parseCloudTrail(detail: Obj, eventId: string): RegistrarEvent {
  const eventName = str(detail, 'eventName', 'detail');
  const params = detail.requestParameters;
  if (!isObj(params)) throw new MalformedEventError('detail.requestParameters', 'must be an object');
  const group = str(params, 'autoScalingGroupName', 'detail.requestParameters');
  return { kind: 'group-changed', group, reason: `${eventName} called`, eventId };
}

export function parseRegistrarEvent(input: unknown): RegistrarEvent {
  if (!isObj(input)) throw new MalformedEventError('event', 'must be a JSON object');
  if (input.action === 'reconcile') {
    if (input.cluster !== undefined && typeof input.cluster !== 'string') {
      throw new MalformedEventError('cluster', 'must be a string when present');
    }
    return input.cluster ? { kind: 'reconcile', cluster: input.cluster as string } : { kind: 'reconcile' };
  }
  const detailType = str(input, 'detail-type', 'event');
  const source = str(input, 'source', 'event');
  if (source !== 'aws.autoscaling')
    throw new MalformedEventError('event.source', `must be "aws.autoscaling", found "${source}"`);
  const eventId = typeof input.id === 'string' ? input.id : '';
  const detail = input.detail;
  if (!isObj(detail)) throw new MalformedEventError('event.detail', 'must be an object');
  if (detailType === 'AWS API Call via CloudTrail') return parseCloudTrail(detail, eventId);
  const group = str(detail, 'AutoScalingGroupName', 'detail');
  switch (detailType) {
    case 'EC2 Instance Launch Successful':
    case 'EC2 Instance-launch Lifecycle Action': {
      const h = hook(detail);
      return { kind: 'launch', group, instanceId: instanceId(detail), ...(h ? { hook: h } : {}), eventId };
    }
    case 'EC2 Instance Terminate Successful':
    case 'EC2 Instance-terminate Lifecycle Action': {
      const h = hook(detail);
      return { kind: 'terminate', group, instanceId: instanceId(detail), ...(h ? { hook: h } : {}), eventId };
    }
    case 'EC2 Instance Launch Unsuccessful': {
      const msg = typeof detail.StatusMessage === 'string' ? detail.StatusMessage : '';
      return { kind: 'launch-failed', group, reason: msg || 'no status message', eventId };
    }
    case 'EC2 Instance Terminate Unsuccessful':
      return { kind: 'group-changed', group, reason: 'a termination failed', eventId };
    default:
      throw new MalformedEventError(
        'event.detail-type',
        `"${detailType}" is not an event the registrar handles`,
      );
  }
}
