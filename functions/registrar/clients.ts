import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientSet } from '../core/aws/client-set.ts';

/**
 * The clients the registrar calls, and the only ones its bundle carries: groups and instances
 * (Auto Scaling, EC2), the load balancers (ELB, ELBv2), alerting (DynamoDB state, SNS, EventBridge)
 * and the verifier's follow-up queue (SQS).
 */
export const REGISTRAR_CLIENTS: ClientSet = {
  owner: 'the registrar function',
  constructors: {
    autoscaling: AutoScalingClient,
    ec2: EC2Client,
    elb: ElasticLoadBalancingClient,
    elbv2: ElasticLoadBalancingV2Client,
    dynamodb: DynamoDBClient,
    sns: SNSClient,
    eventbridge: EventBridgeClient,
    sqs: SQSClient,
  },
};
