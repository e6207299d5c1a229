import { describe, expect, it } from 'vitest';
import {
  matchDomainConstraint,
  matchEmailConstraint,
  matchUriConstraint,
  parseMailbox,
  uriHost,
} from '../../../functions/core/tls/name-constraints.ts';
import { type LabCert, makeCa } from '../../../sandbox/x509-lab.ts';
import { API, judge as judgeWith, leaf } from './lab.ts';

const judge = (sent: LabCert[], trust: LabCert[], goVersionRules?: string) =>
  judgeWith(sent, trust, goVersionRules ? { goVersionRules } : {});

describe('which certificates a CA name constraints apply to, by Go release', () => {
  const ownSan = makeCa('nc-own-san', {
    nameConstraints: { permittedDns: ['k8s.example.com'] },
    dns: ['ca.corp.example'],
  });
  const root = makeCa('nc-root', { nameConstraints: { permittedDns: ['k8s.example.com'] } });
  const mid = makeCa('mid-with-san', { issuer: root, dns: ['issuer.corp.example'] });

  it("Go 1.19-1.25 check the CA's own SANs, and say so", () => {
    const verdict = judge([leaf(ownSan)], [ownSan], '1.25');
    expect(verdict.code).toBe('TLS_NAME_CONSTRAINTS_VIOLATED');
    expect(verdict.reason).toBe(
      'CA CN=nc-own-san limits DNS names to k8s.example.com; the CA itself carries ca.corp.example, which is outside it',
    );
    expect(judge([leaf(ownSan)], [ownSan], '1.18').code).toBe('TLS_OK');
    expect(judge([leaf(ownSan)], [ownSan], '1.26').code).toBe('TLS_OK');
  });

  it('Go 1.26 checks every certificate below the CA; earlier releases skip the intermediates', () => {
    expect(judge([leaf(mid), mid], [root], '1.25').code).toBe('TLS_OK');
    const verdict = judge([leaf(mid), mid], [root], '1.26');
    expect(verdict.code).toBe('TLS_NAME_CONSTRAINTS_VIOLATED');
    expect(verdict.reason).toContain('certificate CN=mid-with-san carries issuer.corp.example');
  });

  it('a DNS SAN Go cannot parse refuses the chain under any constraint type', () => {
    const ipOnly = makeCa('nc-ip', { nameConstraints: { permittedIps: ['10.0.0.0/8'] } });
    const verdict = judge([leaf(ipOnly, { dns: [API, 'kubernetes.default.'] })], [ipOnly]);
    expect(verdict.code).toBe('TLS_NAME_CONSTRAINTS_VIOLATED');
    expect(verdict.reason).toContain('"kubernetes.default.", which Go cannot parse as a domain');
  });
});

describe("Go's email and URI constraint matching", () => {
  it('parses mailboxes as Go does', () => {
    expect(parseMailbox('ops@corp.example')).toEqual({ local: 'ops', domain: 'corp.example' });
    expect(parseMailbox('"a b"@corp.example')).toEqual({ local: 'a b', domain: 'corp.example' });
    expect(parseMailbox('.ops@corp.example')).toBeUndefined();
    expect(parseMailbox('o..ps@corp.example')).toBeUndefined();
    expect(parseMailbox('ops@corp.example.')).toBeUndefined();
    expect(parseMailbox('ops')).toBeUndefined();
  });

  it('matches a mailbox constraint exactly, a domain constraint by labels', () => {
    const box = { local: 'ops', domain: 'Corp.Example' };
    expect(matchEmailConstraint(box, 'ops@corp.example')).toBe(true);
    expect(matchEmailConstraint(box, 'Ops@corp.example')).toBe(false);
    expect(matchEmailConstraint(box, 'corp.example')).toBe(true);
    expect(matchEmailConstraint(box, '.corp.example')).toBe(false);
  });

  it('takes the URI host as url.Parse does and refuses IP or empty hosts', () => {
    expect(uriHost('spiffe://cluster.local/ns/x')).toBe('cluster.local');
    expect(uriHost('https://user@id.corp.example:8443/x')).toBe('id.corp.example:8443');
    expect(uriHost('urn:uuid:1234')).toBe('');
    expect(uriHost('https://a b/')).toBeUndefined();
    expect(uriHost('https://host:port/')).toBeUndefined();
    expect(matchUriConstraint('https://id.corp.example:8443/x', '.corp.example')).toBe(true);
    expect(matchUriConstraint('spiffe://cluster.local/ns/x', '.corp.example')).toBe(false);
    expect(matchUriConstraint('https://10.0.0.1/x', '.corp.example')).toBeUndefined();
    expect(matchUriConstraint('https://[::1]/x', '.corp.example')).toBeUndefined();
    expect(matchUriConstraint('urn:uuid:1234', '.corp.example')).toBeUndefined();
  });

  it('excluded constraints refuse a wildcard that covers them (Go 1.24.11/1.25.5)', () => {
    expect(matchDomainConstraint('*.k8s.example.com', 'foo.k8s.example.com', true)).toBe(true);
    expect(matchDomainConstraint('*.k8s.example.com', 'foo.k8s.example.com')).toBe(false);
    expect(matchDomainConstraint('*.k8s.example.com', 'a.foo.k8s.example.com', true)).toBe(false);
    expect(matchDomainConstraint('api.k8s.example.com', 'foo.k8s.example.com', true)).toBe(false);
  });
});

describe("Go's parser rules for every certificate sent", () => {
  const root = makeCa('kubernetes-ca');
  it('names the rule: unsupported curve, bad IP SAN, non-ASCII SAN, bad URI host', () => {
    const k1 = makeCa('k1', { issuer: root, curve: 'secp256k1' });
    const cases: [LabCert[], string][] = [
      [[leaf(k1), k1], 'curve secp256k1; Go supports only P-224, P-256, P-384 and P-521'],
      [[leaf(root, { rawSans: [{ tag: 7, data: Buffer.from([1, 2, 3]) }] })], 'SAN IP address has 3 bytes'],
      [
        [leaf(root, { rawSans: [{ tag: 2, data: Buffer.from('k\u00f6ps.example', 'utf8') }] })],
        'not an ASCII string',
      ],
      [[leaf(root, { uris: ['https://a..b/x'] })], 'has a host that is not a valid domain'],
    ];
    for (const [sent, words] of cases) {
      const verdict = judge(sent, [root]);
      expect(verdict.code).toBe('TLS_CERT_UNPARSEABLE');
      expect(verdict.reason).toContain(words);
    }
  });

  it('RSA-PSS: only hash-length salts verify', () => {
    const rsaRoot = makeCa('rsa-root', { rsaBits: 2048 });
    const ok = makeCa('pss-32', { issuer: rsaRoot, pssSaltLength: 32 });
    const bad = makeCa('pss-20', { issuer: rsaRoot, pssSaltLength: 20 });
    expect(judge([leaf(ok), ok], [rsaRoot]).code).toBe('TLS_OK');
    const verdict = judge([leaf(bad), bad], [rsaRoot]);
    expect(verdict.code).toBe('TLS_INSECURE_SIGNATURE');
    expect(verdict.reason).toContain('a salt of 20 bytes where SHA-256 needs 32');
  });

  it('a bundle CA with a negative serial is skipped from Go 1.23 on, and the reason says so', () => {
    const neg = makeCa('neg-ca', { serial: Buffer.from([0x80, 1, 2, 3]) });
    expect(judge([leaf(neg)], [neg], '1.22').code).toBe('TLS_OK');
    const verdict = judge([leaf(neg)], [neg], '1.23');
    expect(verdict.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(verdict.reason).toContain('Go does not load CN=neg-ca (negative serial number');
  });
});

describe('certificate policy validation (Go 1.24+)', () => {
  const root = makeCa('kubernetes-ca');
  const requireExplicit = { oid: '2.5.29.36', critical: false, value: Buffer.from('3003800100', 'hex') };
  // certificatePolicies { 2.23.140.1.2.1 }, { 2.23.140.1.2.2 }
  const dv = { oid: '2.5.29.32', critical: false, value: Buffer.from('300a3008060667810c010201', 'hex') };
  const ov = { oid: '2.5.29.32', critical: false, value: Buffer.from('300a3008060667810c010202', 'hex') };
  // policyMappings { anyPolicy -> 2.23.140.1.2.1 }
  const mapAny = {
    oid: '2.5.29.33',
    critical: false,
    value: Buffer.from('3010300e0604551d2000060667810c010201', 'hex'),
  };

  it('names the CA that requires a policy and where the path ran out; ignored before Go 1.24', () => {
    const mid = makeCa('explicit-mid', { issuer: root, extra: [requireExplicit, dv] });
    const verdict = judge([leaf(mid), mid], [root]);
    expect(verdict.code).toBe('TLS_INVALID_POLICIES');
    expect(verdict.reason).toContain('CA CN=explicit-mid requires an explicit certificate policy');
    expect(verdict.reason).toContain('certificate CN=kubernetes-master, which lists no certificate policies');
    expect(judge([leaf(mid), mid], [root], '1.23').code).toBe('TLS_OK');
    expect(judge([leaf(mid, { extra: [dv] }), mid], [root]).code).toBe('TLS_OK');
    const other = judge([leaf(mid, { extra: [ov] }), mid], [root]);
    expect(other.code).toBe('TLS_INVALID_POLICIES');
    expect(other.reason).toContain('do not match those above it');
  });

  it('a mapping of anyPolicy is refused', () => {
    const mid = makeCa('mapping-mid', { issuer: root, extra: [dv, mapAny] });
    const verdict = judge([leaf(mid, { extra: [dv] }), mid], [root]);
    expect(verdict.code).toBe('TLS_INVALID_POLICIES');
    expect(verdict.reason).toContain('maps anyPolicy');
  });
});
