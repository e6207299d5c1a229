import type { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleOf, type CaBundle, parsePemBundle } from '../../../functions/core/ca/bundle.ts';
import { parseKeyset } from '../../../functions/core/ca/keyset.ts';
import { verifyServerChain } from '../../../functions/core/tls/verify-chain.ts';
import {
  createCa,
  createIntermediateCa,
  days,
  EKU,
  issueServerCert,
  keysetYaml,
  type TestCa,
} from '../../../sandbox/pki.ts';

const API = 'api.internal.k8s.example.com';
const now = new Date();
const ago = (d: number): Date => new Date(now.getTime() - days(d));
const ahead = (d: number): Date => new Date(now.getTime() + days(d));

let kopsCa: TestCa;
let trust: CaBundle;

function judge(
  presented: X509Certificate[],
  opts: { hostname?: string; bundle?: CaBundle; warn?: number } = {},
) {
  return verifyServerChain({
    presented,
    trust: opts.bundle ?? trust,
    hostname: opts.hostname ?? API,
    now,
    expiryWarningDays: opts.warn ?? 30,
  });
}

async function serving(
  opts: Parameters<typeof issueServerCert>[1] = {},
  ca: TestCa = kopsCa,
): Promise<X509Certificate> {
  return (
    await issueServerCert(ca, { dns: [API, 'kubernetes', 'kubernetes.default'], ips: ['127.0.0.1'], ...opts })
  ).x509;
}

beforeAll(async () => {
  kopsCa = await createCa('kubernetes-ca');
  trust = parsePemBundle(kopsCa.certPem, 'test bundle');
});

describe('verifyServerChain: trust', () => {
  it('passes the apiserver certificate signed by the kops CA', async () => {
    const verdict = judge([await serving()]);
    expect(verdict.code).toBe('TLS_OK');
    expect(verdict.path).toHaveLength(2);
    expect(verdict.path[1]?.fingerprint256).toBe(kopsCa.x509.fingerprint256);
  });

  it('fails an ACM-like certificate from a foreign CA, naming the untrusted issuer', async () => {
    const amazonRoot = await createCa('Amazon Root CA 1');
    const amazonIntermediate = await createIntermediateCa('Amazon RSA 2048 M02', amazonRoot);
    const acm = await serving({ commonName: 'api.k8s.example.com' }, amazonIntermediate);

    const leafOnly = judge([acm]);
    expect(leafOnly.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(leafOnly.reason).toContain('issued by CN=Amazon RSA 2048 M02');
    expect(leafOnly.reason).toContain('CN=kubernetes-ca');
    expect(leafOnly.path).toEqual([]);

    const withIntermediate = judge([acm, amazonIntermediate.x509]);
    expect(withIntermediate.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(withIntermediate.reason).toContain('via CN=Amazon RSA 2048 M02');
    expect(withIntermediate.reason).toContain('issued by CN=Amazon Root CA 1');
  });

  it('fails a certificate from an impostor CA that has the same name as the kops CA', async () => {
    const impostor = await createCa('kubernetes-ca');
    const verdict = judge([await serving({}, impostor)]);
    expect(verdict.code).toBe('TLS_UNTRUSTED_ISSUER');
  });

  it('fails when the server presents no certificate', () => {
    expect(judge([]).code).toBe('TLS_UNTRUSTED_ISSUER');
  });

  it('passes a self-signed certificate only when it is itself in the bundle', async () => {
    const selfSigned = await createCa(API);
    expect(judge([selfSigned.x509]).code).toBe('TLS_UNTRUSTED_ISSUER');
    const bundle = bundleOf('test', [selfSigned.x509]);
    expect(judge([selfSigned.x509], { bundle }).code).toBe('TLS_HOSTNAME_MISMATCH');
  });
});

describe('verifyServerChain: intermediates', () => {
  it('follows an intermediate the server sends', async () => {
    const intermediate = await createIntermediateCa('kops-intermediate', kopsCa);
    const leaf = await serving({}, intermediate);
    const verdict = judge([leaf, intermediate.x509]);
    expect(verdict.code).toBe('TLS_OK');
    expect(verdict.path.map((c) => c.subject)).toEqual([
      'CN=kubernetes-master',
      'CN=kops-intermediate',
      'CN=kubernetes-ca',
    ]);
    expect(judge([leaf]).code).toBe('TLS_UNTRUSTED_ISSUER');
  });

  it('ignores unrelated certificates sent along and finds the path in any order', async () => {
    const intermediate = await createIntermediateCa('kops-intermediate', kopsCa);
    const stranger = await createCa('stranger');
    const verdict = judge([await serving({}, intermediate), stranger.x509, intermediate.x509]);
    expect(verdict.code).toBe('TLS_OK');
  });

  it('does not let a non-CA certificate act as an intermediate', async () => {
    const fakeCa = await issueServerCert(kopsCa, { commonName: 'not-a-ca', dns: [API] });
    // A serving certificate used as if it were a CA: Go refuses it as an intermediate.
    const asIssuer: TestCa = { ...fakeCa, name: 'not-a-ca' };
    const leaf = await serving({}, asIssuer);
    expect(judge([leaf, fakeCa.x509]).code).toBe('TLS_UNTRUSTED_ISSUER');
  });
});

describe('verifyServerChain: validity', () => {
  it('fails an expired certificate', async () => {
    const verdict = judge([await serving({ notBefore: ago(400), notAfter: ago(1) })]);
    expect(verdict.code).toBe('TLS_CERT_EXPIRED');
    expect(verdict.reason).toContain('certificate CN=kubernetes-master expired');
  });

  it('fails a certificate that is not yet valid', async () => {
    const verdict = judge([await serving({ notBefore: ahead(1), notAfter: ahead(400) })]);
    expect(verdict.code).toBe('TLS_CERT_NOT_YET_VALID');
  });

  it('fails a valid leaf under an expired CA, naming the CA', async () => {
    const oldCa = await createCa('old-kubernetes-ca', { notBefore: ago(800), notAfter: ago(2) });
    const leaf = await serving({}, oldCa);
    const verdict = judge([leaf], { bundle: parsePemBundle(oldCa.certPem, 'old') });
    expect(verdict.code).toBe('TLS_CERT_EXPIRED');
    expect(verdict.reason).toContain('CA CN=old-kubernetes-ca');
  });

  it('warns when the leaf expires within the warning window', async () => {
    const leaf = await serving({ notAfter: ahead(10) });
    const verdict = judge([leaf], { warn: 30 });
    expect(verdict.code).toBe('TLS_CERT_EXPIRING');
    expect(verdict.reason).toMatch(/in (9|10) days/);
    expect(judge([leaf], { warn: 5 }).code).toBe('TLS_OK');
    expect(judge([leaf], { warn: 0 }).code).toBe('TLS_OK');
  });
});

describe('verifyServerChain: hostname (DNS/IP SANs only, as Go)', () => {
  it('fails a certificate whose SANs do not cover the API hostname, listing what it covers', async () => {
    const verdict = judge([await serving({ dns: ['api.k8s.example.com'], ips: [] })]);
    expect(verdict.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(verdict.reason).toContain('DNS:api.k8s.example.com');
  });

  it('does not fall back to the Common Name', async () => {
    const cnOnly = (await issueServerCert(kopsCa, { commonName: API })).x509;
    const verdict = judge([cnOnly]);
    expect(verdict.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(verdict.reason).toContain('Common Name is not used');
  });

  it('lets a wildcard cover exactly one left-most label', async () => {
    const wildcard = await serving({ dns: ['*.k8s.example.com'], ips: [] });
    expect(judge([wildcard], { hostname: 'api.k8s.example.com' }).code).toBe('TLS_OK');
    expect(judge([wildcard], { hostname: 'API.K8S.example.com.' }).code).toBe('TLS_OK');
    expect(judge([wildcard], { hostname: API }).code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(judge([wildcard], { hostname: 'k8s.example.com' }).code).toBe('TLS_HOSTNAME_MISMATCH');
    const partial = await serving({ dns: ['api*.k8s.example.com'], ips: [] });
    expect(judge([partial], { hostname: 'api1.k8s.example.com' }).code).toBe('TLS_HOSTNAME_MISMATCH');
  });

  it('matches an IP hostname only against IP SANs', async () => {
    const ipSan = await serving({ dns: ['10.0.1.5'], ips: ['10.0.1.6', '::1'] });
    expect(judge([ipSan], { hostname: '10.0.1.6' }).code).toBe('TLS_OK');
    expect(judge([ipSan], { hostname: '10.0.1.5' }).code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(judge([ipSan], { hostname: '[0:0::1]' }).code).toBe('TLS_OK');
  });
});

describe('verifyServerChain: extended key usage', () => {
  it('fails a certificate limited to clientAuth', async () => {
    const verdict = judge([await serving({ eku: [EKU.clientAuth] })]);
    expect(verdict.code).toBe('TLS_NOT_SERVER_AUTH');
    expect(verdict.reason).toContain(EKU.clientAuth);
  });

  it('accepts serverAuth, anyExtendedKeyUsage, or no EKU extension at all', async () => {
    expect(judge([await serving({ eku: [EKU.clientAuth, EKU.serverAuth] })]).code).toBe('TLS_OK');
    expect(judge([await serving({ eku: [EKU.any] })]).code).toBe('TLS_OK');
    expect(judge([await serving({ eku: [] })]).code).toBe('TLS_OK');
  });
});

describe('verifyServerChain: CA rotation through the keyset', () => {
  it('trusts every key without distrustTimestamp and nothing signed by a distrusted key', async () => {
    const retired = await createCa('kubernetes-ca-2021');
    const current = await createCa('kubernetes-ca-2024');
    const next = await createCa('kubernetes-ca-2025');
    const keyset = parseKeyset(
      keysetYaml({
        keys: [
          { id: '6992130000000000001', ca: retired, distrustTimestamp: '2024-06-01T00:00:00Z' },
          { id: '7201230000000000002', ca: current },
          { id: '7301230000000000003', ca: next },
        ],
        primaryId: '7301230000000000003',
      }),
      'keyset.yaml',
    );
    const bundle = keyset.bundle;
    expect(judge([await serving({}, current)], { bundle }).code).toBe('TLS_OK');
    expect(judge([await serving({}, next)], { bundle }).code).toBe('TLS_OK');
    const fromRetired = judge([await serving({}, retired)], { bundle });
    expect(fromRetired.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(fromRetired.reason).toContain('CN=kubernetes-ca-2021');
  });
});

describe('verifyServerChain: precedence', () => {
  it('untrusted > expired > not server auth > hostname > expiring', async () => {
    const foreign = await createCa('foreign');
    const expiredForeign = await serving({ notBefore: ago(10), notAfter: ago(1) }, foreign);
    expect(judge([expiredForeign]).code).toBe('TLS_UNTRUSTED_ISSUER');

    const expiredWrongName = await serving({
      dns: ['other'],
      notBefore: ago(10),
      notAfter: ago(1),
      eku: [EKU.clientAuth],
    });
    expect(judge([expiredWrongName]).code).toBe('TLS_CERT_EXPIRED');

    const clientOnlyWrongName = await serving({ dns: ['other'], eku: [EKU.clientAuth] });
    expect(judge([clientOnlyWrongName]).code).toBe('TLS_NOT_SERVER_AUTH');

    const wrongNameExpiring = await serving({ dns: ['other'], notAfter: ahead(3) });
    expect(judge([wrongNameExpiring]).code).toBe('TLS_HOSTNAME_MISMATCH');
  });
});
