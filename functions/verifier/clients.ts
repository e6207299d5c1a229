import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ClientSet } from '../core/aws/client-set.ts';

/**
 * The clients the verifier calls, and the only ones its bundle carries: what the registrar reads
 * (Auto Scaling, EC2, ELB, ELBv2), the CA bundle's sources (SSM, S3), alerting (DynamoDB state,
 * SNS, EventBridge) and follow-up claims and re-queues (DynamoDB, SQS).
 */
export const VERIFIER_CLIENTS: ClientSet = {
  owner: 'the verifier function',
  constructors: {
    autoscaling: AutoScalingClient,
    ec2: EC2Client,
    elb: ElasticLoadBalancingClient,
    elbv2: ElasticLoadBalancingV2Client,
    ssm: SSMClient,
    s3: S3Client,
    dynamodb: DynamoDBClient,
    sns: SNSClient,
    eventbridge: EventBridgeClient,
    sqs: SQSClient,
  },
};
