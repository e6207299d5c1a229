import { MalformedEventError } from './errors.ts';
import { checked, checkOrigin, quote, type StackOrigin } from './limits.ts';
import { eventField, parseShape, shapeOf } from './parse-shape.ts';
import {
  CloudTrailEventSchema,
  JsonObjectSchema,
  RecordsSchema,
  SqsBatchSchema,
  VerifyRequestSchema,
} from './schemas.ts';

/**
 * The verifier's input: the schedule or an operator (`{"action":"verify"}`), a CloudTrail record
 * of a load-balancer change (from the stack's own account and region only), or a batch of
 * follow-up messages from SQS. Whatever it says, the verifier verifies from what AWS answers.
 */
export type VerifierEvent =
  | { kind: 'verify'; cluster?: string; reason: string }
  | { kind: 'follow-up'; records: { messageId: string; body: string }[] };

const CALL_NAME = /^[A-Za-z]{1,64}$/;
const CLOUDTRAIL_SOURCES = new Set(['aws.elasticloadbalancing', 'aws.autoscaling']);

/** `Records[<i>]` for a problem in one record of an SQS batch. */
const recordField = (path: string[]): string => (path.length >= 2 ? `Records[${path[1]}]` : 'Records');

/** Parses with Powertools Parser on the schemas of schemas.ts, then checks values against AWS's limits. */
export function parseVerifierEvent(input: unknown, origin: StackOrigin): VerifierEvent {
  parseShape(JsonObjectSchema(), input, eventField);
  if (shapeOf(RecordsSchema(), input)) {
    const { Records } = parseShape(SqsBatchSchema(), input, recordField);
    return { kind: 'follow-up', records: Records.map((r) => ({ messageId: r.messageId, body: r.body })) };
  }
  const request = shapeOf(VerifyRequestSchema(), input);
  if (request) {
    return request.cluster === undefined
      ? { kind: 'verify', reason: 'scheduled or requested' }
      : { kind: 'verify', cluster: checked('cluster', request.cluster, 'cluster'), reason: 'requested' };
  }
  const record = shapeOf(CloudTrailEventSchema(), input);
  if (record) {
    const event = input as Record<string, unknown>;
    if (typeof event.source !== 'string' || !CLOUDTRAIL_SOURCES.has(event.source))
      throw new MalformedEventError(
        'event.source',
        `is not a load balancer or Auto Scaling source: ${quote(event.source)}`,
      );
    checkOrigin(event, origin);
    const name = record.detail.eventName;
    if (typeof name !== 'string' || !CALL_NAME.test(name))
      throw new MalformedEventError('detail.eventName', `must be an API call name, found ${quote(name)}`);
    return { kind: 'verify', reason: `${name} called` };
  }
  throw new MalformedEventError(
    'event',
    'is neither {"action":"verify"}, a CloudTrail record, nor an SQS batch',
  );
}
