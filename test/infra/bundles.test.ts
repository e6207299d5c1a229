import { describe, expect, it } from 'vitest';
import { bundledModule } from './bundle.ts';

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
    process.env.SLACK_SECRET_NAME ??= 'bundle-test';
    const { handler } = await bundled('notifier');
    expect(await handler({ Records: [] }, context)).toEqual({ posted: 0 });
  });
});
