import { beforeAll, describe, expect, it } from 'vitest';
import { bundleToPem, CaSourceError, parsePemBundle } from '../../../functions/core/ca/bundle.ts';
import { createCa, issueServerCert, type TestCa } from '../../../sandbox/pki.ts';

let current: TestCa;
let next: TestCa;

beforeAll(async () => {
  current = await createCa('kubernetes-ca');
  next = await createCa('kubernetes-ca-next');
});

describe('parsePemBundle', () => {
  it('reads every CA certificate, with fingerprints and subjects, ignoring text around blocks', () => {
    const pem = `# cluster CA, rotated\n${current.certPem}\nsome comment\n${next.certPem}`;
    const bundle = parsePemBundle(pem, 'ssm:/kops/ca');
    expect(bundle.source).toBe('ssm:/kops/ca');
    expect(bundle.subjects).toEqual(['CN=kubernetes-ca', 'CN=kubernetes-ca-next']);
    expect(bundle.fingerprints).toEqual([current.x509.fingerprint256, next.x509.fingerprint256]);
    expect(bundle.certificates).toHaveLength(2);
  });

  it('drops duplicates and round-trips through bundleToPem', () => {
    const bundle = parsePemBundle(`${current.certPem}${current.certPem}${next.certPem}`, 'inline');
    expect(bundle.certificates).toHaveLength(2);
    expect(parsePemBundle(bundleToPem(bundle), 'again').fingerprints).toEqual(bundle.fingerprints);
  });

  it('accepts CRLF line endings', () => {
    expect(parsePemBundle(current.certPem.replace(/\n/g, '\r\n'), 'crlf').certificates).toHaveLength(1);
  });

  it('fails without any certificate, naming the source', () => {
    expect(() => parsePemBundle('nothing here', 'ssm:/kops/ca')).toThrow(CaSourceError);
    expect(() => parsePemBundle('nothing here', 'ssm:/kops/ca')).toThrow(
      /ssm:\/kops\/ca: no PEM certificate found/,
    );
  });

  it('fails on a garbage block, naming the source and the block', () => {
    const garbage = `${current.certPem}-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n`;
    expect(() => parsePemBundle(garbage, 'inline CA')).toThrow(
      'inline CA: PEM block 2 is not a parseable X.509 certificate',
    );
    const badBase64 = '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n';
    expect(() => parsePemBundle(badBase64, 'inline CA')).toThrow('PEM block 1 is not valid base64');
    const unterminated = `${current.certPem}-----BEGIN CERTIFICATE-----\nMIIB\n`;
    expect(() => parsePemBundle(unterminated, 'inline CA')).toThrow('PEM block 2 has no matching END line');
  });

  it('refuses key material without quoting it', () => {
    const withKey = `${current.certPem}${current.keyPem}`;
    let message = '';
    try {
      parsePemBundle(withKey, 'inline CA');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PEM block 2 is a PRIVATE KEY; a CA bundle holds certificates only');
    const keyBody = current.keyPem.split('\n')[1] ?? 'unreachable';
    expect(message).not.toContain(keyBody);
  });

  it('fails on a certificate that is not a CA, naming its subject', async () => {
    const leaf = await issueServerCert(current, { commonName: 'kubernetes-master', dns: ['api'] });
    expect(() => parsePemBundle(`${current.certPem}${leaf.certPem}`, 'ssm:/kops/ca')).toThrow(
      /ssm:\/kops\/ca: PEM block 2 \(CN=kubernetes-master\) is not a CA certificate/,
    );
  });
});
