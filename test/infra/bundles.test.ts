import { describe, expect, it } from 'vitest';
import { BUNDLE_CEILING_KIB } from '../../lib/bundling/options.ts';
import { bundledModule, bundleFunction } from './bundle.ts';

/**
 * What Lambda will load: each function bundled with the stack's settings and its config compiled
 * in, imported as the ESM module Lambda imports, and invoked. A bad banner, a missing dependency
 * or a config that does not parse back fails here, not at 3 a.m.
 */
const context = {
  awsRequestId: 'bundle-test',
  functionName: 'bundle-test',
  getRemainingTimeInMillis: () => 1000,
};

async function bundled(name: string) {
  return (await import(await bundledModule(name))) as {
    handler: (event: unknown, ctx: unknown) => Promise<unknown>;
  };
}

describe('the bundled functions', () => {
  it('the registrar rejects a malformed event, and reads its compiled-in config (no AWS call needed)', async () => {
    const { handler } = await bundled('registrar');
    expect(await handler({ source: 'aws.autoscaling' }, context)).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('detail-type'),
    });
    expect(await handler({ action: 'reconcile', cluster: 'nope.example.com' }, context)).toEqual({
      status: 'ignored',
      reason: 'cluster nope.example.com is not configured',
    });
  });

  it('the verifier does too', async () => {
    const { handler } = await bundled('verifier');
    expect(await handler({ action: 'nothing' }, context)).toMatchObject({ status: 'rejected' });
    expect(await handler({ action: 'verify', cluster: 'nope.example.com' }, context)).toEqual({
      status: 'rejected',
      reason: 'cluster nope.example.com is not configured',
    });
  });

  it('the notifier handles an empty SNS batch', async () => {
    // the shared project runs files in one process: leave the environment as it was found
    const before = process.env.SLACK_SECRET_NAME;
    process.env.SLACK_SECRET_NAME ??= 'bundle-test';
    try {
      const { handler } = await bundled('notifier');
      expect(await handler({ Records: [] }, context)).toEqual({ posted: 0 });
    } finally {
      if (before === undefined) delete process.env.SLACK_SECRET_NAME;
    }
  });
});

/**
 * Size ceilings, minified (sizes are deterministic for a lockfile): issue 10's targets, registrar
 * 800 KiB, verifier 1 MiB, notifier 250 KiB (docs/design.md, "What each function bundles"). Lower a
 * ceiling as savings land; never raise one without saying why.
 */
const CEILING_KIB = BUNDLE_CEILING_KIB;

/** The AWS SDK clients a bundle holds, by package name. */
const clientPackages = (inputs: string[]) =>
  [
    ...new Set(inputs.map((p) => /node_modules\/@aws-sdk\/(client-[^/]+)\//.exec(p)?.[1]).filter(Boolean)),
  ].sort();

const built = new Map<string, ReturnType<typeof bundleFunction>>();
/** Each function bundled once for the checks below. */
const carried = (name: string) => {
  if (!built.has(name)) built.set(name, bundleFunction(name));
  return built.get(name) as ReturnType<typeof bundleFunction>;
};

describe('what each function carries', () => {
  it.each(Object.entries(CEILING_KIB))('the %s stays under its ceiling (%i KiB)', async (name, kib) => {
    const { bytes } = await carried(name);
    expect(bytes / 1024).toBeLessThanOrEqual(kib);
  });

  it('none carries the SDK’s full credential chain (its STS and SSO clients): Lambda’s credentials are in the environment', async () => {
    for (const name of Object.keys(CEILING_KIB)) {
      const { inputs } = await carried(name);
      expect(
        inputs.filter((p) => /@aws-sdk\/(nested-clients|credential-provider-(node|ini|sso))\//.test(p)),
      ).toEqual([]);
      expect(inputs.some((p) => p.endsWith('functions/shared/lambda-credentials.ts'))).toBe(true);
    }
  });

  it('each bundles only the SDK clients it calls', async () => {
    const [registrar, verifier, notifier, hub] = await Promise.all(
      ['registrar', 'verifier', 'notifier', 'hub'].map(async (n) =>
        clientPackages((await carried(n)).inputs),
      ),
    );
    const shared = [
      'client-auto-scaling',
      'client-dynamodb',
      'client-ec2',
      'client-elastic-load-balancing',
      'client-elastic-load-balancing-v2',
      'client-eventbridge',
      'client-sns',
      'client-sqs',
    ];
    expect(registrar).toEqual(shared);
    expect(verifier).toEqual([...shared, 'client-s3', 'client-ssm'].sort());
    expect(notifier).toEqual(['client-secrets-manager']);
    // the fleet's hub decides alerts: alert state, the topic and its own events; SQS proves a report came off its queue
    expect(hub).toEqual(['client-dynamodb', 'client-eventbridge', 'client-sns', 'client-sqs']);
  });

  it('the registrar, the notifier and the hub hold no YAML parser and no zod locale but the default (en)', async () => {
    for (const name of ['registrar', 'notifier', 'hub']) {
      const { inputs } = await carried(name);
      expect(
        inputs.filter((p) => p.includes('node_modules/yaml/')),
        name,
      ).toEqual([]);
      expect(
        inputs.filter((p) => p.includes('zod/v4/locales/') && !p.endsWith('/en.js')),
        name,
      ).toEqual([]);
    }
  });

  it('the EC2 model is trimmed to the shapes the registrar reaches', async () => {
    const { inputs, text } = await carried('registrar');
    expect(inputs.some((p) => p.includes('@aws-sdk/client-ec2/dist-es/schemas/'))).toBe(true);
    // RunInstances is an EC2 operation no function calls: its shapes are gone
    expect(text).not.toContain('RunInstancesRequest');
    expect(text).toContain('DescribeInstancesRequest');
  });
});
