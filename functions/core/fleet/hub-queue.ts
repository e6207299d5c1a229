import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../aws/clients.ts';
import { quote } from '../events/limits.ts';
import type { HubQueueRecord } from './hub-records.ts';

/** The hub's report queue, as the stack names it to the hub function. */
export interface HubQueue {
  arn: string;
  url: string;
}

/**
 * The report queue's visibility timeout, in seconds: six times the hub function's one-minute
 * timeout (Lambda's guidance for SQS event sources). The hub sets a record it is proving back to
 * this, which is never more than the queue itself gives a receive.
 */
export const HUB_QUEUE_VISIBILITY_SECONDS = 360;

/** What SQS answers for a receipt handle that is no message in flight on the queue. */
const NOT_IN_FLIGHT = new Set(['ReceiptHandleIsInvalid', 'MessageNotInflight']);

/**
 * Whether a record came off the hub's report queue, which only EventBridge's hub rule may send to:
 * its `eventSourceARN` is the queue's, and SQS accepts its receipt handle (ChangeMessageVisibility
 * on that handle: only a message received from the queue and still in flight has one). Anything
 * else is forged, whatever its body says: an invocation of the hub function by anyone but the
 * queue's event source mapping. Any other AWS failure throws (worth a retry).
 */
export async function proveFromHubQueue(
  record: HubQueueRecord,
  queue: HubQueue,
  sqs: AwsClients['sqs'],
): Promise<{ proven: true } | { forged: string }> {
  if (record.eventSourceARN !== queue.arn)
    return { forged: `came from ${quote(record.eventSourceARN)}, not the hub's report queue` };
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.url,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: HUB_QUEUE_VISIBILITY_SECONDS,
      }),
    );
    return { proven: true };
  } catch (err) {
    const name = (err as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && NOT_IN_FLIGHT.has(name))
      return { forged: `SQS does not know its receipt handle (${name}): it was not received from the queue` };
    throw err;
  }
}
