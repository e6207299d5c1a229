import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaCredentialsPlugin } from '../../../lib/bundling/lambda-credentials.ts';
import { bundleSnippet } from './snippet.ts';

const dir = mkdtempSync(join(tmpdir(), 'sentinel-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** Bundles what a client's runtime config imports, and loads the bundle. */
async function chainOf(plugins: ReturnType<typeof lambdaCredentialsPlugin>[]) {
  const { text, kept, bytesFrom } = await bundleSnippet(
    "export { defaultProvider } from '@aws-sdk/credential-provider-node';",
    plugins,
  );
  const file = join(dir, `chain-${plugins.length}.mjs`);
  writeFileSync(file, text);
  const mod = (await import(pathToFileURL(file).href)) as {
    defaultProvider: (init?: object) => () => Promise<Record<string, unknown>>;
  };
  return { mod, nested: kept('@aws-sdk/nested-clients'), bytes: bytesFrom('') };
}

async function withEnv<T>(values: Partial<Record<(typeof KEYS)[number], string>>, run: () => Promise<T>) {
  const saved = KEYS.map((k) => [k, process.env[k]] as const);
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, values);
  try {
    return await run();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('lambdaCredentialsPlugin', () => {
  it('replaces the default chain by its environment link: no STS or SSO client, a fraction of the size', async () => {
    const full = await chainOf([]);
    const lambda = await chainOf([lambdaCredentialsPlugin()]);
    expect(full.nested.length).toBeGreaterThan(0);
    expect(lambda.nested).toEqual([]);
    expect(lambda.bytes * 10).toBeLessThan(full.bytes);
  });

  it('answers with the credentials Lambda puts in the environment, as the full chain does', async () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    };
    const { mod } = await chainOf([lambdaCredentialsPlugin()]);
    const creds = await withEnv(env, () => mod.defaultProvider({})());
    expect(creds).toMatchObject({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  it('fails with the SDK’s own error when the environment holds no credentials', async () => {
    const { mod } = await chainOf([lambdaCredentialsPlugin()]);
    await expect(withEnv({}, () => mod.defaultProvider({})())).rejects.toThrow(
      /Unable to find environment variable credentials/,
    );
  });
});
