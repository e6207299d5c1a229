import { describe, expect, it } from 'vitest';
import { bundleFunction } from './bundle.ts';
import { SYNTH_TIMEOUT_MS } from './helpers.ts';

/**
 * Beside the IAM (iam.test.ts): the code shipped in the functions has no way to the CA keysets
 * either. The verifier, bundled as the stack bundles it (with a state-store cluster configured),
 * names no `pki/` key and carries no keyset reader; it does carry the nodeup-config reader.
 */
async function bundledText(name: string): Promise<string> {
  return (await bundleFunction(name)).text;
}

describe('the deployed code cannot reach the CA private key', () => {
  it(
    'no function bundle names pki/ or a keyset; the verifier reads igconfig/node/ and the kops specs',
    async () => {
      const texts = await Promise.all(['verifier', 'registrar', 'notifier'].map(bundledText));
      for (const text of texts) {
        expect(text).not.toContain('pki/');
        expect(text).not.toContain('keyset.yaml');
        expect(text).not.toContain('privateMaterial');
      }
      expect(texts[0]).toContain('igconfig/node');
      expect(texts[0]).toContain('nodeupconfig.yaml');
      // and the kops specs reader: the cluster spec and the instance groups, nothing else
      expect(texts[0]).toContain('cluster-completed.spec');
      expect(texts[0]).toContain('instancegroup');
    },
    SYNTH_TIMEOUT_MS,
  );
});
