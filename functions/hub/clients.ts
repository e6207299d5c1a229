import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientSet } from '../core/aws/client-set.ts';

/**
 * The hub decides alerts: alert state (DynamoDB), the topic (SNS) and its own events (EventBridge);
 * SQS only proves that a report came off its queue (functions/core/fleet/hub-queue.ts).
 */
export const HUB_CLIENTS: ClientSet = {
  owner: 'the hub function',
  constructors: { dynamodb: DynamoDBClient, sns: SNSClient, eventbridge: EventBridgeClient, sqs: SQSClient },
};
