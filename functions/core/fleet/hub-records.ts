import * as z from 'zod/mini';
import { MalformedEventError } from '../events/errors.ts';
import { parseFirstIssue } from '../events/parse-shape.ts';

/**
 * The hub function's input: an SQS batch from its report queue, as Lambda's event source mapping
 * hands it over. What a record says about itself (its queue, its handle) is a claim: the hub proves
 * it with SQS (hub-queue.ts) before it reads the report in the body.
 */
export interface HubQueueRecord {
  messageId: string;
  /** The handle SQS gave the receive; only a message in flight on the queue has a valid one. */
  receiptHandle: string;
  /** The queue the record says it came from. */
  eventSourceARN: string;
  body: string;
}

/** SQS's own limits: a receipt handle of at most 1,024 characters, a message of at most 1 MiB. */
const HANDLE_MAX = 1024;
const BODY_MAX = 1024 * 1024;

const bounded = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .check(
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(max, { error: `must be at most ${max} characters` }),
    );

const RecordSchema = z.object(
  {
    eventSource: z.literal('aws:sqs', { error: 'must be aws:sqs' }),
    messageId: bounded(128),
    receiptHandle: bounded(HANDLE_MAX),
    eventSourceARN: bounded(256),
    body: bounded(BODY_MAX),
  },
  { error: 'must be an SQS record' },
);

const BatchSchema = z.object(
  { Records: z.array(z.unknown(), { error: 'must be an array of SQS records' }) },
  { error: 'must be an SQS batch' },
);

/** One record of the batch: read, or why it is not an SQS record (its field, `Records[<i>].<key>`). */
export type ReadRecord = { record: HubQueueRecord } | { malformed: MalformedEventError };

/**
 * Reads an SQS batch record by record, so one malformed record does not hide the others. Throws a
 * MalformedEventError when the event is not an SQS batch at all (a direct invocation with an
 * EventBridge event, say): the hub takes reports from its queue only.
 */
export function readHubBatch(event: unknown): ReadRecord[] {
  const batch = parseFirstIssue(BatchSchema, event);
  if (!batch.ok)
    throw new MalformedEventError(
      batch.path.length ? `event.${batch.path.join('.')}` : 'event',
      `${batch.message}: the hub takes reports from its SQS queue only`,
    );
  return batch.data.Records.map((input, i) => {
    const read = parseFirstIssue(RecordSchema, input);
    if (read.ok) {
      const { messageId, receiptHandle, eventSourceARN, body } = read.data;
      return { record: { messageId, receiptHandle, eventSourceARN, body } };
    }
    const field = read.path.length ? `Records[${i}].${read.path.join('.')}` : `Records[${i}]`;
    return { malformed: new MalformedEventError(field, read.message) };
  });
}
