import { beforeAll, describe, expect, it } from 'vitest';
import { CaSourceError } from '../../../functions/core/ca/bundle.ts';
import { parseKeyset } from '../../../functions/core/ca/keyset.ts';
import { createCa, keysetYaml, type TestCa } from '../../../sandbox/pki.ts';
import { errorOf } from './helpers.ts';

let retired: TestCa;
let current: TestCa;
let next: TestCa;

beforeAll(async () => {
  [retired, current, next] = await Promise.all([
    createCa('kubernetes-ca-2021'),
    createCa('kubernetes-ca-2024'),
    createCa('kubernetes-ca-2025'),
  ]);
});

const rotated = (): string =>
  keysetYaml({
    keys: [
      { id: '6992130000000000001', ca: retired, distrustTimestamp: '2024-06-01T00:00:00Z' },
      { id: '7201230000000000002', ca: current },
      { id: '7301230000000000003', ca: next },
    ],
    primaryId: '7301230000000000003',
  });

/** Every private key body line and its base64 form, as they appear in a keyset. */
function privateFragments(...cas: TestCa[]): string[] {
  return cas.flatMap((ca) => [
    Buffer.from(ca.keyPem).toString('base64').slice(0, 40),
    ...ca.keyPem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
  ]);
}

describe('parseKeyset', () => {
  it('trusts every key without distrustTimestamp and reports counts and the primary', () => {
    const keyset = parseKeyset(rotated(), 's3://state/k8s.example.com/pki/private/kubernetes-ca/keyset.yaml');
    expect(keyset.bundle.subjects).toEqual(['CN=kubernetes-ca-2024', 'CN=kubernetes-ca-2025']);
    expect(keyset.bundle.fingerprints).toEqual([current.x509.fingerprint256, next.x509.fingerprint256]);
    expect(keyset.trustedIds).toEqual(['7201230000000000002', '7301230000000000003']);
    expect(keyset.distrustedIds).toEqual(['6992130000000000001']);
    expect(keyset.primaryId).toBe('7301230000000000003');
    expect(keyset.keyCount).toBe(3);
  });

  it('keeps numeric ids exact even when unquoted', () => {
    const text = rotated().replaceAll('"7201230000000000002"', '7201230000000000002');
    expect(text).toContain('id: 7201230000000000002');
    expect(parseKeyset(text, 'keyset').trustedIds).toContain('7201230000000000002');
  });

  it('never lets private material surface in the result', () => {
    const keyset = parseKeyset(rotated(), 'keyset');
    const everything = JSON.stringify({
      ...keyset,
      pems: keyset.bundle.certificates.map((c) => c.toString()),
    });
    expect(everything).not.toMatch(/PRIVATE|privateMaterial/);
    for (const fragment of privateFragments(retired, current, next))
      expect(everything).not.toContain(fragment);
  });

  it('never quotes private material in errors, even for a syntax error next to it', () => {
    const valid = rotated();
    const broken = valid.replace('    privateMaterial: ', '    privateMaterial: [unclosed ');
    const brokenIndent = valid.replace('  keys:\n', '  keys:\n   bad: [\n');
    const noPublic = valid.replaceAll(/publicMaterial: .*\n/g, '');
    for (const text of [broken, brokenIndent, noPublic]) {
      const err = errorOf(() => parseKeyset(text, 'keyset.yaml'));
      expect(err).toBeInstanceOf(CaSourceError);
      expect(err.message).toMatch(/^keyset\.yaml: /);
      for (const fragment of privateFragments(retired, current, next))
        expect(err.message).not.toContain(fragment);
      expect(err.stack ?? '').not.toContain(privateFragments(current)[0]);
    }
  });

  it.each([
    [
      'a document of another kind',
      'apiVersion: v1\nkind: Secret\ndata: {}\n',
      /kind is "Secret", expected "Keyset"/,
    ],
    ['a wrong apiVersion', 'apiVersion: v1\nkind: Keyset\nspec: {keys: []}\n', /apiVersion is "v1"/],
    ['no keys', 'apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\nspec: {keys: []}\n', /spec\.keys/],
    ['no spec', 'apiVersion: kops.k8s.io/v1alpha2\nkind: Keyset\n', /spec/],
    ['a list', '- a\n- b\n', /not a mapping/],
    ['bad YAML', 'kind: [\n', /not a valid YAML document \(.* at line \d+, column \d+\)/],
  ])('rejects %s clearly', (_what, text, message) => {
    const err = errorOf(() => parseKeyset(text, 'keyset.yaml'));
    expect(err).toBeInstanceOf(CaSourceError);
    expect(err.message).toMatch(/^keyset\.yaml: /);
    expect(err.message).toMatch(message);
  });

  it('rejects a keyset whose keys are all distrusted', () => {
    const text = keysetYaml({ keys: [{ id: '1', ca: retired, distrustTimestamp: '2024-06-01T00:00:00Z' }] });
    expect(() => parseKeyset(text, 'keyset.yaml')).toThrow(/every key is distrusted \(1\)/);
  });

  it('rejects public material that is not a certificate, naming the key', () => {
    const text = keysetYaml({ keys: [{ id: '7201230000000000002', ca: current }] }).replace(
      /publicMaterial: \S+/,
      `publicMaterial: ${Buffer.from('hello').toString('base64')}`,
    );
    expect(() => parseKeyset(text, 'keyset.yaml')).toThrow(
      'keyset.yaml: key 7201230000000000002: publicMaterial is not a base64-encoded PEM certificate',
    );
  });

  it('reads a keyset without private material (older layouts)', () => {
    const text = keysetYaml({ keys: [{ id: '1', ca: current, withoutPrivate: true }] });
    expect(parseKeyset(text, 'pki/issued/ca/keyset.yaml').bundle.subjects).toEqual(['CN=kubernetes-ca-2024']);
  });
});
