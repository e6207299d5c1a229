import { createRequire } from 'node:module';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import { SERVICE_NAME } from '../../functions/shared/metric-names.ts';
import { bundledCode } from '../bundling/function-code.ts';
import { acknowledge } from '../nag.ts';

export { BUNDLE, configDefine, esbuildOptions, PROJECT_ROOT } from '../bundling/options.ts';
/** The service every function reports under (logs and metrics). */
export { SERVICE_NAME };

export interface SentinelFunctionProps {
  /** Path of the handler file, relative to the project root (e.g. `functions/registrar/handler.ts`). */
  readonly entry: string;
  readonly description: string;
  /** Set per function: how long one invocation may run. */
  readonly timeout: Duration;
  /** The validated configuration; bundled into the code, never put into environment variables. */
  readonly config: SentinelConfig;
  /** Resource names only (table, topic, queue URLs, secret name). */
  readonly environment?: Record<string, string>;
  readonly memorySize?: number;
  /** Caps concurrent runs, so a burst of triggers cannot hammer the AWS APIs (throttled events are retried). */
  readonly reservedConcurrency?: number;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Asynchronous invocation settings (EventBridge and SNS invoke asynchronously). */
  readonly async: {
    readonly retryAttempts: number;
    readonly maxEventAge: Duration;
    readonly onFailure: IDestination;
  };
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** IPv6 egress from the dual-stack subnets (`ipv6AllowedForDualStack`); only with `vpc`. */
  readonly ipv6AllowedForDualStack?: boolean;
}

/**
 * A Lambda function with the house defaults fixed once: Node.js 22 on arm64, an explicit log group
 * kept for a month, no X-Ray tracing (docs/observability.md), Powertools settings, and an ESM bundle built by the local
 * esbuild (never Docker) that carries its own pinned AWS SDK and the validated configuration
 * (lib/bundling/).
 */
export class SentinelFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SentinelFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Its own role instead of the AWS managed execution policies: logs go to this function's log
    // group only (AWSLambdaBasicExecutionRole allows every log group of the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `kops-api-sentinel: execution role of ${id}`,
    });
    const execution = new iam.Policy(this, 'ExecutionPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        // what AWSLambdaVPCAccessExecutionRole grants: Lambda manages the function's network
        // interfaces with the role; these EC2 actions take no resource-level conditions Lambda meets
        ...(props.vpc
          ? [
              new iam.PolicyStatement({
                sid: 'ManageFunctionNetworkInterfaces',
                actions: [
                  'ec2:CreateNetworkInterface',
                  'ec2:DescribeNetworkInterfaces',
                  'ec2:DescribeSubnets',
                  'ec2:DeleteNetworkInterface',
                  'ec2:AssignPrivateIpAddresses',
                  'ec2:UnassignPrivateIpAddresses',
                ],
                resources: ['*'],
              }),
            ]
          : []),
      ],
    });

    this.function = new lambda.Function(this, 'Function', {
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      timeout: props.timeout,
      // no X-Ray: see "Tracing" in docs/observability.md
      tracing: lambda.Tracing.DISABLED,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Stack traces point into the TypeScript sources (the bundle ships its source map).
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      retryAttempts: props.async.retryAttempts,
      maxEventAge: props.async.maxEventAge,
      onFailure: props.async.onFailure,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      ...(props.ipv6AllowedForDualStack ? { ipv6AllowedForDualStack: true } : {}),
      // bundled by the project's own build (lib/bundling: esbuild with the plugins), run at synth
      code: bundledCode(props.entry, props.config),
    });
    // Lambda checks the network-interface permissions when it creates the function
    this.function.node.addDependency(execution);

    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'only actions without resource-level permissions use `*`: the network-interface calls Lambda makes for a VPC function, and the Describe* reads of Auto Scaling, ELB and EC2',
    );
    acknowledge(
      this,
      'AwsSolutions-L1',
      'Node.js 22 on purpose: the bundle targets node22 and every test runs the functions on it; a runtime move is its own change',
    );
  }
}

/** Where esbuild comes from: the project's devDependency (fails fast with a clear message if missing). */
export function assertLocalEsbuild(): void {
  const require = createRequire(import.meta.url);
  try {
    require.resolve('esbuild');
  } catch {
    throw new Error(
      'esbuild is not installed: run `npm ci` (bundling must use the local esbuild, not Docker)',
    );
  }
}
