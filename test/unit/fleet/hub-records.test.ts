import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../functions/core/events/errors.ts';
import { readHubBatch } from '../../../functions/core/fleet/hub-records.ts';

const ARN = 'arn:aws:sqs:eu-central-1:999999999999:hub-reports';
const record = (over: Record<string, unknown> = {}) => ({
  eventSource: 'aws:sqs',
  eventSourceARN: ARN,
  messageId: 'm-1',
  receiptHandle: 'handle-1',
  body: '{}',
  attributes: {},
  ...over,
});

describe('readHubBatch', () => {
  it('reads each SQS record: its message id, receipt handle, claimed queue and body', () => {
    expect(readHubBatch({ Records: [record()] })).toEqual([
      { record: { messageId: 'm-1', receiptHandle: 'handle-1', eventSourceARN: ARN, body: '{}' } },
    ]);
  });

  it.each([
    [
      'an EventBridge event',
      { source: 'kops-api-sentinel', 'detail-type': 'Findings Reported', detail: {} },
      'event.Records',
    ],
    ['Records that is not an array', { Records: {} }, 'event.Records'],
    ['nothing', undefined, 'event'],
  ])('rejects %s as a whole: the hub takes reports from its queue only', (_, event, field) => {
    expect(() => readHubBatch(event)).toThrow(MalformedEventError);
    try {
      readHubBatch(event);
    } catch (err) {
      expect((err as MalformedEventError).field).toBe(field);
      expect((err as Error).message).toContain('from its SQS queue only');
    }
  });

  it('reads a malformed record as malformed, naming it, without hiding the others', () => {
    const read = readHubBatch({
      Records: [
        record({ receiptHandle: '' }),
        record({ eventSource: 'aws:sns' }),
        record({ receiptHandle: 'x'.repeat(1025) }),
        'text',
        record({ messageId: 'm-2' }),
      ],
    });
    expect(read.map((r) => ('malformed' in r ? r.malformed.field : r.record.messageId))).toEqual([
      'Records[0].receiptHandle',
      'Records[1].eventSource',
      'Records[2].receiptHandle',
      'Records[3]',
      'm-2',
    ]);
  });
});
