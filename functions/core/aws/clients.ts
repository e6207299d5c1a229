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

import { type BudgetOptions, clientConfig } from './client-config.ts';

export { AWS_CALL_BUDGET } from './client-config.ts';

/**
 * The AWS clients the core uses. They are passed in, so the same code runs against AWS, moto or
 * anything else that speaks the APIs. Endpoints come from the SDK's own configuration
 * (AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_* variables); none is hard-coded.
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

/** Counts API calls by `Service.Operation`; used by the benchmark and by tests that bound call counts. */
export class CallCounter {
  readonly calls = new Map<string, number>();
  record(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }
  get total(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }
  reset(): void {
    this.calls.clear();
  }
}

export interface ClientOptions extends BudgetOptions {
  counter?: CallCounter;
}

interface MiddlewareHost {
  middlewareStack: {
    add(
      mw: (
        next: (args: unknown) => Promise<unknown>,
        ctx: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      opts: { step: 'initialize'; name: string },
    ): void;
  };
}

function counted<T>(client: T, service: string, counter?: CallCounter): T {
  if (!counter) return client;
  (client as unknown as MiddlewareHost).middlewareStack.add(
    (next, ctx) => async (args) => {
      counter.record(`${service}.${(ctx.commandName ?? 'Unknown').replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'kopsApiSentinelCallCounter' },
  );
  return client;
}

/** Path-style S3 addressing is only needed for local stand-ins such as moto, which have no bucket DNS. */
function usesCustomEndpoint(service: string): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL || process.env[`AWS_ENDPOINT_URL_${service}`]);
}

/** Creates clients lazily: a Lambda that never talks to S3 never builds an S3 client. */
export function createAwsClients(options: ClientOptions = {}): AwsClients {
  const base = clientConfig(options);
  const cache = new Map<string, unknown>();
  const lazy = <T>(service: string, make: () => T): T => {
    if (!cache.has(service)) cache.set(service, counted(make(), service, options.counter));
    return cache.get(service) as T;
  };
  return {
    get autoscaling() {
      return lazy('AutoScaling', () => new AutoScalingClient(base));
    },
    get elb() {
      return lazy('ELB', () => new ElasticLoadBalancingClient(base));
    },
    get elbv2() {
      return lazy('ELBv2', () => new ElasticLoadBalancingV2Client(base));
    },
    get ec2() {
      return lazy('EC2', () => new EC2Client(base));
    },
    get sns() {
      return lazy('SNS', () => new SNSClient(base));
    },
    get ssm() {
      return lazy('SSM', () => new SSMClient(base));
    },
    get s3() {
      return lazy(
        'S3',
        () =>
          new S3Client({ ...base, forcePathStyle: Boolean(options.endpoint) || usesCustomEndpoint('S3') }),
      );
    },
    get dynamodb() {
      return lazy('DynamoDB', () => new DynamoDBClient(base));
    },
    get eventbridge() {
      return lazy('EventBridge', () => new EventBridgeClient(base));
    },
    get sqs() {
      return lazy('SQS', () => new SQSClient(base));
    },
    get secrets() {
      return lazy('SecretsManager', () => new SecretsManagerClient(base));
    },
  };
}
