import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { buildClients, type ClientOptions, type ClientSet } from './client-set.ts';
import type { AwsClients } from './clients.ts';

/**
 * Every client the core knows, for the CLI, the sandbox and the tests. Deployed functions never
 * import this module: each builds only its own set (functions/<fn>/clients.ts).
 */
export const ALL_CLIENTS: ClientSet = {
  owner: 'the CLI',
  constructors: {
    autoscaling: AutoScalingClient,
    elb: ElasticLoadBalancingClient,
    elbv2: ElasticLoadBalancingV2Client,
    ec2: EC2Client,
    sns: SNSClient,
    ssm: SSMClient,
    s3: S3Client,
    dynamodb: DynamoDBClient,
    eventbridge: EventBridgeClient,
    sqs: SQSClient,
    secrets: SecretsManagerClient,
  },
};

/** The full set, built lazily and not traced. */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  return buildClients(ALL_CLIENTS, options);
}
