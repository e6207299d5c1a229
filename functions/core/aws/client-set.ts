import type { CallCounter } from './call-counter.ts';
import { type BudgetOptions, type Credentials, clientConfig } from './client-config.ts';
import type { AwsClients } from './clients.ts';

/**
 * Builds the AWS clients from the constructors it is given, and imports no client package itself:
 * each function lists the clients it calls (functions/<fn>/clients.ts), so its bundle carries only
 * those; the CLI and the tests use the full set (core/aws/all-clients.ts).
 */

export type ClientName = keyof AwsClients;

/** The constructor of each client a set makes; the config is the one clientConfig() builds. */
export type ClientConstructors = {
  readonly [K in ClientName]?: new (
    config: ReturnType<typeof clientConfig>,
  ) => AwsClients[K];
};

/** The clients one function (or the CLI) builds, and who it is, for errors naming both. */
export interface ClientSet {
  readonly owner: string;
  readonly constructors: ClientConstructors;
}

/** The service name each client counts its calls under (`Service.Operation`). */
const SERVICE: Record<ClientName, string> = {
  autoscaling: 'AutoScaling',
  elb: 'ELB',
  elbv2: 'ELBv2',
  ec2: 'EC2',
  sns: 'SNS',
  ssm: 'SSM',
  s3: 'S3',
  dynamodb: 'DynamoDB',
  eventbridge: 'EventBridge',
  sqs: 'SQS',
  secrets: 'SecretsManager',
};

const NAMES = Object.keys(SERVICE) as ClientName[];

export interface ClientOptions extends BudgetOptions {
  counter?: CallCounter;
  /** The CLI's credentials for one account (an assumed role, a profile); default: the SDK's chain. */
  credentials?: Credentials;
}

interface MiddlewareHost {
  middlewareStack: {
    add(
      mw: (
        next: (args: unknown) => Promise<unknown>,
        ctx: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      opts: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/** Counts a client's calls as `<service>.<Operation>` (also the CLI's STS client). */
export function counted<T>(client: T, service: string, counter?: CallCounter): T {
  if (counter) addCallCounter((client as unknown as MiddlewareHost).middlewareStack, service, counter);
  return client;
}

/**
 * Counts every call of a client's middleware stack as `<service>.<operation>` (also the stack of
 * a client the SDK builds itself, such as a role provider's STS client, through a plugin).
 */
export function addCallCounter(
  stack: MiddlewareHost['middlewareStack'],
  service: string,
  counter: CallCounter,
): void {
  stack.add(
    (next, ctx) => async (args) => {
      counter.record(`${service}.${(ctx.commandName ?? 'Unknown').replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: 'kopsApiSentinelCallCounter', override: true },
  );
}

/** Path-style S3 addressing is only needed for local stand-ins such as moto, which have no bucket DNS. */
function usesCustomEndpoint(service: string): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL || process.env[`AWS_ENDPOINT_URL_${service}`]);
}

/** The error for a client the set does not hold: names the client and the function. */
export function missingClient(set: ClientSet, name: ClientName): Error {
  return new Error(
    `${set.owner} does not bundle the ${SERVICE[name]} client (clients.${name}): add it to its client set`,
  );
}

/** Creates clients lazily: a run that never talks to S3 never builds an S3 client. */
export function buildClients(set: ClientSet, options: ClientOptions = {}): AwsClients {
  const cache = new Map<ClientName, unknown>();
  const make = (name: ClientName): unknown => {
    const Client = set.constructors[name];
    if (!Client) throw missingClient(set, name);
    // per client: a retry strategy given by the tests is one per client, as the SDK's own is
    const base = {
      ...clientConfig(options),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    const config =
      name === 's3'
        ? { ...base, forcePathStyle: Boolean(options.endpoint) || usesCustomEndpoint('S3') }
        : base;
    return counted(new Client(config), SERVICE[name], options.counter);
  };
  const clients = {};
  for (const name of NAMES) {
    Object.defineProperty(clients, name, {
      enumerable: true,
      get() {
        if (!cache.has(name)) cache.set(name, make(name));
        return cache.get(name);
      },
    });
  }
  return clients as AwsClients;
}

/** Constructs every client of the set now (a deployed function's init phase), not at first use. */
export function constructAll(clients: AwsClients, set: ClientSet): AwsClients {
  for (const name of NAMES) if (set.constructors[name]) Reflect.get(clients, name);
  return clients;
}

/**
 * The clients a function was handed (tests pass a full set), narrowed to the ones the function
 * bundles: reaching another throws as it would in the deployed bundle, so a missing client fails
 * a test, not production.
 */
export function restrictClients(clients: AwsClients, set: ClientSet): AwsClients {
  const view = {};
  for (const name of NAMES) {
    Object.defineProperty(view, name, {
      enumerable: true,
      get() {
        if (!set.constructors[name]) throw missingClient(set, name);
        return clients[name];
      },
    });
  }
  return view as AwsClients;
}
