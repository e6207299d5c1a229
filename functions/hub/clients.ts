import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ClientSet } from '../core/aws/client-set.ts';

/** The hub decides alerts: alert state (DynamoDB), the topic (SNS) and its own events (EventBridge). */
export const HUB_CLIENTS: ClientSet = {
  owner: 'the hub function',
  constructors: { dynamodb: DynamoDBClient, sns: SNSClient, eventbridge: EventBridgeClient },
};
