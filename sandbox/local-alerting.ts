import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { ALERT_TABLE_KEYS } from '../functions/core/alerts/state.ts';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import { ENV } from '../functions/shared/env.ts';

/** The stack's alerting resources, made in the local AWS: alert table, topic, queues, Slack secret. */
export interface LocalAlerting {
  tableName: string;
  topicArn: string;
  /** An SQS queue subscribed to the topic (raw delivery): what SNS would hand the notifier. */
  alertQueueUrl: string;
  followUpQueueUrl: string;
  secretName: string;
  /** The registrar's and verifier's environment, as the stack sets it. */
  env: NodeJS.ProcessEnv;
}

/** The alert-state table with the stack's key schema. */
export async function createAlertTable(clients: AwsClients, tableName: string): Promise<void> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: ALERT_TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: ALERT_TABLE_KEYS.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: ALERT_TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: ALERT_TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
}

/** A local SQS queue: its URL and ARN. */
export async function queue(clients: AwsClients, name: string): Promise<{ url: string; arn: string }> {
  const q = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const url = q.QueueUrl ?? '';
  const attrs = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return { url, arn: attrs.Attributes?.QueueArn ?? '' };
}

export async function createLocalAlerting(
  clients: AwsClients,
  opts: { name?: string; slackUrl?: string } = {},
): Promise<LocalAlerting> {
  const name = opts.name ?? 'kops-api-sentinel-alerts';
  const tableName = name;
  await createAlertTable(clients, tableName);
  const topic = await clients.sns.send(new CreateTopicCommand({ Name: name }));
  const topicArn = topic.TopicArn ?? '';
  const alerts = await queue(clients, `${name}-to-notifier`);
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: alerts.arn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const followUps = await queue(clients, `${name}-follow-ups`);
  const secretName = `${name}/slack-webhook`;
  if (opts.slackUrl) {
    await clients.secrets.send(
      new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ url: opts.slackUrl }) }),
    );
  }
  return {
    tableName,
    topicArn,
    alertQueueUrl: alerts.url,
    followUpQueueUrl: followUps.url,
    secretName,
    env: {
      [ENV.ALERT_TABLE_NAME]: tableName,
      [ENV.ALERT_TOPIC_ARN]: topicArn,
      [ENV.FOLLOW_UP_QUEUE_URL]: followUps.url,
      [ENV.EVENT_BUS_NAME]: 'default',
    },
  };
}

/** Takes every message off a queue (bounded), handing each body to `handle`; returns the bodies. */
export async function drain(
  clients: AwsClients,
  queueUrl: string,
  handle: (batch: { messageId: string; body: string }[]) => Promise<void>,
): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 50; round++) {
    const res = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) break;
    const batch = messages.map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '' }));
    await handle(batch);
    bodies.push(...batch.map((b) => b.body));
    for (const m of messages) {
      await clients.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
      );
    }
  }
  return bodies;
}

/** The SNS event Lambda would invoke the notifier with, for one message taken off the alert queue. */
export function snsEvent(body: string, topicArn: string): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:local`,
        Sns: {
          Type: 'Notification',
          MessageId: 'local',
          TopicArn: topicArn,
          Subject: 'kops-api-sentinel',
          Message: body,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
}
