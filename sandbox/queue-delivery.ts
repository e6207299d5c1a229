import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../functions/core/aws/clients.ts';

/** An SQS record as Lambda's event source mapping hands it to a function. */
export interface LambdaSqsRecord {
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, never>;
}

/**
 * Plays Lambda's SQS event source mapping over a local queue: receives up to ten messages, hands
 * them to the function as one batch (with their real receipt handles and the queue's ARN), and
 * deletes those the function did not name in `batchItemFailures`; those stay on the queue until
 * their visibility ends. At most 50 batches. Returns the bodies delivered and each answer.
 */
export async function deliverQueue<R>(
  clients: AwsClients,
  queue: { url: string; arn: string },
  handle: (event: { Records: LambdaSqsRecord[] }) => Promise<R>,
): Promise<{ bodies: string[]; answers: R[] }> {
  const bodies: string[] = [];
  const answers: R[] = [];
  for (let round = 0; round < 50; round++) {
    const res = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) break;
    const answer = await handle({
      Records: messages.map((m) => ({
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        md5OfBody: m.MD5OfBody ?? '',
        attributes: m.Attributes ?? {},
        messageAttributes: {},
      })),
    });
    answers.push(answer);
    const failed = new Set(
      ((answer as { batchItemFailures?: { itemIdentifier: string }[] }).batchItemFailures ?? []).map(
        (f) => f.itemIdentifier,
      ),
    );
    for (const m of messages) {
      if (failed.has(m.MessageId ?? '')) continue;
      bodies.push(m.Body ?? '');
      await clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }
  return { bodies, answers };
}
