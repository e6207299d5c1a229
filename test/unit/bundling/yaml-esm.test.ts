import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { yamlEsmPlugin } from '../../../lib/bundling/yaml-esm.ts';
import { bundleSnippet } from './snippet.ts';

const dir = mkdtempSync(join(tmpdir(), 'sentinel-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Shaped like kops' nodeupconfig.yaml: block scalars, nested maps, a repeated key, odd scalars. */
const NODEUP = `Assets:
  arm64:
  - 0123abcd@https://example.invalid/kubelet
CAs:
  kubernetes-ca: |
    -----BEGIN CERTIFICATE-----
    MIIBszCCAVmgAwIBAgIQ
    -----END CERTIFICATE-----
    -----BEGIN CERTIFICATE-----
    MIIBtDCCAVqgAwIBAgIR
    -----END CERTIFICATE-----
  etcd-clients-ca: |-
    -----BEGIN CERTIFICATE-----
    MIIB
    -----END CERTIFICATE-----
KeypairIDs:
  kubernetes-ca: "7311234567890123456"
Flag: yes
Empty: ~
Port: 0o443
Flag: no
`;

/** Bundles what the verifier calls of yaml, loads it, and parses NODEUP (and a broken document). */
async function parsedWith(plugins: ReturnType<typeof yamlEsmPlugin>[]) {
  const { text, kept, bytesFrom } = await bundleSnippet(
    `import { isMap, parseDocument } from 'yaml';
export function parse(text) {
  const doc = parseDocument(text, { uniqueKeys: false });
  return JSON.stringify({ js: doc.toJS(), map: isMap(doc.contents), errors: doc.errors.map((e) => [e.code, e.message]) });
}`,
    plugins,
  );
  const file = join(dir, `yaml-${plugins.length}.mjs`);
  writeFileSync(file, text);
  const { parse } = (await import(pathToFileURL(file).href)) as { parse: (t: string) => string };
  return {
    nodeup: parse(NODEUP),
    broken: parse('CAs:\n  a: [\n'),
    esm: kept('yaml/browser/').length,
    bytes: bytesFrom('yaml/'),
  };
}

describe('yamlEsmPlugin', () => {
  it('bundles yaml’s ES-module build, smaller, with the same answers as the CommonJS build', async () => {
    const cjs = await parsedWith([]);
    const esm = await parsedWith([yamlEsmPlugin()]);
    expect(cjs.esm).toBe(0);
    expect(esm.esm).toBeGreaterThan(0);
    expect(esm.bytes).toBeLessThan(cjs.bytes);
    expect(esm.nodeup).toBe(cjs.nodeup);
    expect(esm.broken).toBe(cjs.broken);
    expect(JSON.parse(esm.nodeup).js.CAs['kubernetes-ca']).toContain('MIIBtDCCAVqgAwIBAgIR');
    expect(JSON.parse(esm.broken).errors.length).toBeGreaterThan(0);
  });
});
