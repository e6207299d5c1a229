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

/**
 * The retry budget and timeouts of every AWS call. `standard` retry mode, not `adaptive`: adaptive
 * adds a client-side token bucket that, once throttling lowered its rate, keeps delaying calls
 * (clean ones too) until it has measured its way back up, which a warm Lambda carries from one
 * invocation to the next. Standard mode backs off per call with jitter (at most a few seconds
 * over three attempts) and stops retrying when its retry quota is spent, so a bad minute cannot
 * slow the next clean run. Every attempt has a connect and a request (whole answer) timeout, so a
 * blackholed endpoint fails in seconds: the worst call takes about
 * maxAttempts × (connect or request timeout) + backoff, well inside the functions' timeouts.
 */
export const AWS_CALL_BUDGET = {
  retryMode: 'standard',
  maxAttempts: 3,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 8_000,
} as const;

/**
 * The request timeout in milliseconds from SENTINEL_AWS_REQUEST_TIMEOUT_MS, if set to a positive
 * number: local stand-ins on a busy machine (moto) answer slower than AWS, and sandbox/moto.ts
 * raises it for them. Deployed functions never set it.
 */
function requestTimeoutFromEnv(): number | undefined {
  const ms = Number(process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

export interface ClientOptions {
  region?: string;
  /** One endpoint for every service, instead of the SDK's configuration (tests put a proxy in front of moto). */
  endpoint?: string;
  counter?: CallCounter;
  /** SDK attempts per call, the first included (default AWS_CALL_BUDGET.maxAttempts). */
  maxAttempts?: number;
  /** Time to establish a connection, per attempt (default AWS_CALL_BUDGET.connectionTimeoutMs). */
  connectionTimeoutMs?: number;
  /** Time from sending a request to its whole answer, per attempt (default AWS_CALL_BUDGET.requestTimeoutMs). */
  requestTimeoutMs?: number;
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
  const base = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: options.maxAttempts ?? AWS_CALL_BUDGET.maxAttempts,
    retryMode: AWS_CALL_BUDGET.retryMode,
    // NodeHttpHandler options: the SDK builds its own handler from them (no direct dependency)
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? AWS_CALL_BUDGET.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? requestTimeoutFromEnv() ?? AWS_CALL_BUDGET.requestTimeoutMs,
      // without it, the handler only logs a warning when requestTimeout passes and keeps waiting
      throwOnRequestTimeout: true,
    },
  };
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
