import { MalformedEventError } from './registrar-event.ts';

/**
 * The verifier's input: the schedule or an operator (`{"action":"verify"}`), a CloudTrail record
 * of a load-balancer change, or a batch of follow-up messages from SQS.
 */
export type VerifierEvent =
  | { kind: 'verify'; cluster?: string; reason: string }
  | { kind: 'follow-up'; records: { messageId: string; body: string }[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseVerifierEvent(input: unknown): VerifierEvent {
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
    if (input.cluster !== undefined && typeof input.cluster !== 'string') {
      throw new MalformedEventError('cluster', 'must be a string when present');
    }
    return typeof input.cluster === 'string'
      ? { kind: 'verify', cluster: input.cluster, reason: 'requested' }
      : { kind: 'verify', reason: 'scheduled or requested' };
  }
  if (input['detail-type'] === 'AWS API Call via CloudTrail' && isObj(input.detail)) {
    const name =
      typeof input.detail.eventName === 'string' ? input.detail.eventName : 'a load balancer change';
    return { kind: 'verify', reason: `${name} called` };
  }
  throw new MalformedEventError(
    'event',
    'is neither {"action":"verify"}, a CloudTrail record, nor an SQS batch',
  );
}
