import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';

export { CallCounter } from './call-counter.ts';
export { AWS_CALL_BUDGET } from './client-config.ts';
export type { ClientOptions } from './client-set.ts';

/**
 * The AWS clients the core uses. They are passed in, so the same code runs against AWS, moto or
 * anything else that speaks the APIs. Endpoints come from the SDK's own configuration
 * (AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables); none is hard-coded.
 * Types only: each function builds the clients it calls (functions/<fn>/clients.ts), the CLI and
 * the tests the full set (all-clients.ts).
 */
export interface AwsClients {
  readonly autoscaling: AutoScalingClient;
  readonly elb: ElasticLoadBalancingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly eventbridge: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
}
