import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DETAIL_TYPES,
  EventPublishError,
  putSentinelEvents,
  type SentinelEvent,
} from '../../../functions/core/alerts/events.ts';
import { PublishRunError, publishRun } from '../../../functions/core/alerts/publish.ts';
import { verdictOf } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';
import { accessDenied, serviceError, settle, throttled } from './aws-errors.ts';

/** Alert delivery: what SNS and EventBridge refusals become. */
const CLUSTER = 'k8s.example.com';
const NOW = new Date('2026-11-30T10:00:00.000Z');

const verificationEvent = (n: number): SentinelEvent => ({
  detailType: DETAIL_TYPES.verificationCompleted,
  detail: {
    version: '1',
    cluster: `c${n}.example.com`,
    source: 'verifier',
    time: NOW.toISOString(),
    inSync: true,
    findings: 0,
    counts: { ok: 0, info: 0, warning: 0, critical: 0 },
    drift: [],
    driftTruncated: false,
  },
});
const events = (count: number) => Array.from({ length: count }, (_, i) => verificationEvent(i));

function eventBridge() {
  const client = new EventBridgeClient({ region: 'eu-west-1' });
  const mock = mockClient(client);
  mock.onAnyCommand().rejects(new Error('unexpected EventBridge call'));
  return { client, mock };
}

const failuresOf = (error: Error | undefined) => {
  expect(error).toBeInstanceOf(EventPublishError);
  return (error as EventPublishError).failures;
};

// the document-client mock (emptyAlertTable) is on the class: taken off after each test
afterEach(() => {
  mockClient(DynamoDBDocumentClient).restore();
});

describe('EventBridge delivery (putSentinelEvents)', () => {
  it('puts events in batches of ten and counts them', async () => {
    const { client, mock } = eventBridge();
    mock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
    }));
    expect(await putSentinelEvents(client, events(12), { now: NOW })).toEqual({ put: 12 });
  });

  it('a throttled batch fails its events by name; the next batch is still put, then the error is thrown', async () => {
    const { client, mock } = eventBridge();
    mock
      .on(PutEventsCommand)
      .rejectsOnce(throttled('ThrottlingException'))
      .callsFake((input: { Entries: unknown[] }) => ({
        FailedEntryCount: 0,
        Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
      }));
    const failures = failuresOf((await settle(putSentinelEvents(client, events(12), { now: NOW }))).error);
    expect(failures).toHaveLength(10);
    expect(failures[0]).toEqual({
      detailType: 'Verification Completed',
      errorCode: 'ThrottlingException',
      errorMessage: 'Rate exceeded',
    });
    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('names the entries EventBridge refused one by one, and access denied for a whole batch', async () => {
    const { client, mock } = eventBridge();
    mock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e-0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
      })
      .rejectsOnce(accessDenied('events:PutEvents'));
    const one = (await settle(putSentinelEvents(client, events(2), { now: NOW }))).error;
    expect(failuresOf(one)).toEqual([
      { detailType: 'Verification Completed', errorCode: 'InternalFailure', errorMessage: 'try again' },
    ]);
    expect(one?.message).toBe(
      '1 sentinel event(s) were not put on the event bus (first: Verification Completed: InternalFailure try again)',
    );
    const denied = failuresOf((await settle(putSentinelEvents(client, events(2), { now: NOW }))).error);
    expect(denied.map((f) => f.errorCode)).toEqual(['AccessDenied', 'AccessDenied']);
  });

  it('a malformed answer: FailedEntryCount without entries still fails that many', async () => {
    const { client, mock } = eventBridge();
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 2 });
    const failures = failuresOf((await settle(putSentinelEvents(client, events(3), { now: NOW }))).error);
    expect(failures.map((f) => f.errorCode)).toEqual(['FailedEntry', 'FailedEntry']);
  });
});

describe('SNS delivery (publishRun)', () => {
  /**
   * Alert state that answers as an empty table (no stored alert; every conditional write goes
   * through), at the level the store uses: the DynamoDB client or a document client over it.
   */
  function emptyAlertTable(): DynamoDBClient {
    const client = new DynamoDBClient({ region: 'eu-west-1' });
    const answer = (input: object) => ('KeyConditionExpression' in input ? { Items: [] } : {});
    mockClient(client).onAnyCommand().callsFake(answer);
    mockClient(DynamoDBDocumentClient).onAnyCommand().callsFake(answer);
    return client;
  }

  const lbNotAttached = finding('LB_NOT_ATTACHED', {
    cluster: CLUSTER,
    resource: 'control-plane-eu-west-1a.masters.k8s.example.com',
    expected: 'elb/api-internal attached',
    actual: 'not attached',
    message: 'The internal API load balancer is not attached to the control-plane group.',
    action: 'repair-failed',
  });

  async function run(snsError: Error) {
    const sns = new SNSClient({ region: 'eu-west-1' });
    mockClient(sns)
      .onAnyCommand()
      .rejects(new Error('unexpected SNS call'))
      .on(PublishCommand)
      .rejects(snsError);
    const bus = eventBridge();
    bus.mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-0' }] });
    return settle(
      publishRun(
        { source: 'registrar', verdicts: [verdictOf(CLUSTER, [lbNotAttached])], now: NOW },
        {
          clients: { dynamodb: emptyAlertTable(), sns, eventbridge: bus.client },
          tableName: 'alerts',
          topicArn: 'arn:aws:sns:eu-west-1:123456789012:sentinel-alerts',
          config: { reminderHours: 6, resolveAfterPasses: 2, fireAfterFailures: 1 },
        },
      ),
    );
  }

  it('a refused publish leaves the alert owed: nothing counted as sent, the run throws naming the alert', async () => {
    for (const refusal of [
      serviceError('AuthorizationError', 'User is not authorized to perform: SNS:Publish', 403),
      throttled('Throttled'),
      serviceError('NotFound', 'Topic does not exist', 404),
    ]) {
      const { error } = await run(refusal);
      expect(error).toBeInstanceOf(PublishRunError);
      const result = (error as PublishRunError).result;
      expect(result.notifications).toEqual([]);
      expect(result.evaluated).toBe(1);
      expect(error?.message).toContain(`Publishing fire for ${CLUSTER}|LB_NOT_ATTACHED|`);
      expect(error?.message).toContain(refusal.message);
    }
  });
});
