import { MalformedEventError } from './errors.ts';
import { checked, checkOrigin, quote, type StackOrigin } from './limits.ts';

/**
 * The verifier's input: the schedule or an operator (`{"action":"verify"}`), a CloudTrail record
 * of a load-balancer change (from the stack's own account and region only), or a batch of
 * follow-up messages from SQS. Whatever it says, the verifier verifies from what AWS answers.
 */
export type VerifierEvent =
  | { kind: 'verify'; cluster?: string; reason: string }
  | { kind: 'follow-up'; records: { messageId: string; body: string }[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CALL_NAME = /^[A-Za-z]{1,64}$/;
const CLOUDTRAIL_SOURCES = new Set(['aws.elasticloadbalancing', 'aws.autoscaling']);

export function parseVerifierEvent(input: unknown, origin: StackOrigin): VerifierEvent {
  if (!isObj(input)) throw new MalformedEventError('event', 'must be a JSON object');
  if (Array.isArray(input.Records)) {
    const records = input.Records.map((r, i) => {
      if (
        !isObj(r) ||
        r.eventSource !== 'aws:sqs' ||
        typeof r.messageId !== 'string' ||
        typeof r.body !== 'string'
      ) {
        throw new MalformedEventError(`Records[${i}]`, 'must be an SQS record with messageId and body');
      }
      return { messageId: r.messageId, body: r.body };
    });
    return { kind: 'follow-up', records };
  }
  if (input.action === 'verify') {
    return input.cluster === undefined
      ? { kind: 'verify', reason: 'scheduled or requested' }
      : { kind: 'verify', cluster: checked('cluster', input.cluster, 'cluster'), reason: 'requested' };
  }
  if (input['detail-type'] === 'AWS API Call via CloudTrail' && isObj(input.detail)) {
    if (typeof input.source !== 'string' || !CLOUDTRAIL_SOURCES.has(input.source))
      throw new MalformedEventError(
        'event.source',
        `is not a load balancer or Auto Scaling source: ${quote(input.source)}`,
      );
    checkOrigin(input, origin);
    const name = input.detail.eventName;
    if (typeof name !== 'string' || !CALL_NAME.test(name))
      throw new MalformedEventError('detail.eventName', `must be an API call name, found ${quote(name)}`);
    return { kind: 'verify', reason: `${name} called` };
  }
  throw new MalformedEventError(
    'event',
    'is neither {"action":"verify"}, a CloudTrail record, nor an SQS batch',
  );
}
