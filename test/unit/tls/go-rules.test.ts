import { describe, expect, it } from 'vitest';
import { SentinelConfigSchema } from '../../../functions/core/config/schema.ts';
import { CURRENT_GO_MINOR, goRules } from '../../../functions/core/tls/go-rules.ts';
import { matchDomainConstraint } from '../../../functions/core/tls/name-constraints.ts';
import type { VerifyChainInput } from '../../../functions/core/tls/verify-chain.ts';
import { KU, type LabCert, makeCa } from '../../../sandbox/x509-lab.ts';
import { judge as judgeWith, leaf } from './lab.ts';

const root = makeCa('kubernetes-ca');
/** policyConstraints { inhibitPolicyMapping 0 } */
const INHIBIT_POLICY_MAPPING_0 = Buffer.from([0x30, 0x03, 0x81, 0x01, 0x00]);

const judge = (sent: LabCert[], trust: LabCert[] = [root], more: Partial<VerifyChainInput> = {}) =>
  judgeWith(sent, trust, more);

describe('findings name the rule in words an operator can act on', () => {
  it('name constraints: permitted subtree', () => {
    const ca = makeCa('corp-ca', { nameConstraints: { permittedDns: ['corp.example'] } });
    const verdict = judge([leaf(ca)], [ca]);
    expect(verdict.code).toBe('TLS_NAME_CONSTRAINTS_VIOLATED');
    expect(verdict.reason).toBe(
      'CA CN=corp-ca limits DNS names to corp.example; certificate CN=kubernetes-master carries api.internal.k8s.example.com, which is outside it',
    );
  });

  it('name constraints: excluded subtree and IP ranges', () => {
    const excl = makeCa('excl-ca', { nameConstraints: { excludedDns: ['k8s.example.com'] } });
    expect(judge([leaf(excl)], [excl]).reason).toContain('excludes DNS names under k8s.example.com');
    const ip = makeCa('ip-ca', { nameConstraints: { permittedIps: ['10.0.0.0/8'] } });
    const verdict = judge([leaf(ip, { ips: ['192.168.1.7'] })], [ip]);
    expect(verdict.code).toBe('TLS_NAME_CONSTRAINTS_VIOLATED');
    expect(verdict.reason).toContain('limits IP addresses to 10.0.0.0/8');
    expect(verdict.reason).toContain('192.168.1.7, which is outside it');
  });

  it('path length', () => {
    const ca = makeCa('limited-ca', { pathLen: 0 });
    const mid = makeCa('extra-intermediate', { issuer: ca });
    const verdict = judge([leaf(mid), mid], [ca]);
    expect(verdict.code).toBe('TLS_PATH_LENGTH_EXCEEDED');
    expect(verdict.reason).toContain('CA CN=limited-ca allows at most 0 intermediate CAs below it');
    expect(verdict.reason).toContain('CN=extra-intermediate');
  });

  it('signature algorithm', () => {
    const verdict = judge([leaf(root, { hash: 'sha1' })]);
    expect(verdict.code).toBe('TLS_INSECURE_SIGNATURE');
    expect(verdict.reason).toContain('with ECDSA-SHA1, which Go 1.');
  });

  it('critical extensions', () => {
    const verdict = judge([leaf(root, { extra: [{ oid: '1.2.3.4.5', critical: true }] })]);
    expect(verdict.code).toBe('TLS_UNHANDLED_CRITICAL_EXTENSION');
    expect(verdict.reason).toContain('marks extension 1.2.3.4.5 critical');
  });

  it('issuer name encoding', () => {
    const ca = makeCa('printable-ca', { subject: { cn: 'printable-ca', encoding: 'printable' } });
    const verdict = judge([leaf(ca, { issuerName: { cn: 'printable-ca' } })], [ca]);
    expect(verdict.code).toBe('TLS_ISSUER_NAME_ENCODING');
    expect(verdict.reason).toContain('encoded differently');
  });

  it('a CA KeyUsage without keyCertSign', () => {
    const mid = makeCa('signing-only', { issuer: root, keyUsage: KU.digitalSignature });
    const verdict = judge([leaf(mid), mid]);
    expect(verdict.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(verdict.reason).toContain('without keyCertSign');
  });
});

describe('tls.goVersionRules', () => {
  const negative = Buffer.from([0xff, 0x01, 0x02]);

  it('refuses negative serials from Go 1.23 (kubelet 1.32) on, accepts them before', () => {
    const sent = [leaf(root, { serial: negative })];
    const current = judge(sent);
    expect(current.code).toBe('TLS_CERT_UNPARSEABLE');
    expect(current.reason).toContain('negative serial number');
    expect(judge(sent, [root], { goVersionRules: '1.23' }).code).toBe('TLS_CERT_UNPARSEABLE');
    expect(judge(sent, [root], { goVersionRules: '1.22' }).code).toBe('TLS_OK');
  });

  it('critical policy extensions: handled from Go 1.24 (policy validation)', () => {
    const sent = [
      leaf(root, { extra: [{ oid: '2.5.29.36', critical: true, value: INHIBIT_POLICY_MAPPING_0 }] }),
    ];
    expect(judge(sent).code).toBe('TLS_OK');
    expect(judge(sent, [root], { goVersionRules: '1.23' }).code).toBe('TLS_UNHANDLED_CRITICAL_EXTENSION');
  });

  it('refuses RSA keys under 1024 bits from Go 1.24 on', () => {
    const sent = [leaf(root, { rsaBits: 768 })];
    const current = judge(sent);
    expect(current.code).toBe('TLS_INSECURE_SIGNATURE');
    expect(current.reason).toContain('has a 768-bit RSA key');
    expect(judge(sent, [root], { goVersionRules: '1.23' }).code).toBe('TLS_OK');
  });

  it('defaults to current; the config accepts current or 1.N', () => {
    expect(goRules().minor).toBe(CURRENT_GO_MINOR);
    expect(goRules('1.19')).toEqual({ minor: 19, label: 'Go 1.19' });
    const tls = (goVersionRules?: string) =>
      SentinelConfigSchema.shape.clusters.element.shape.tls.safeParse(
        goVersionRules ? { goVersionRules } : {},
      );
    expect(tls().data?.goVersionRules).toBe('current');
    expect(tls('1.23').success).toBe(true);
    expect(tls('latest').success).toBe(false);
    expect(tls('2.0').success).toBe(false);
  });
});

describe('the chain that could not be read', () => {
  it('an untrusted or good verdict on a chain Node linked is TLS_CHAIN_NOT_READ, never TLS_OK', () => {
    const mid = makeCa('kops-intermediate', { issuer: root });
    const linked = judge([leaf(mid)], [root], { chainSource: 'linked' });
    expect(linked.code).toBe('TLS_CHAIN_NOT_READ');
    expect(linked.reason).toContain('could not be read from the handshake');
    expect(judge([leaf(mid)]).code).toBe('TLS_UNTRUSTED_ISSUER');
    const good = judge([leaf(root)], [root], { chainSource: 'linked' });
    expect(good.code).toBe('TLS_CHAIN_NOT_READ');
    expect(good.reason).toContain('could not be read from the handshake');
    expect(judge([leaf(root)], [root], { chainSource: 'wire' }).code).toBe('TLS_OK');
  });

  it("a Certificate message over the Go release's limit is refused: 64 KiB before Go 1.20, 256 KiB since", () => {
    const at = (bytes: number, goVersionRules: string) =>
      judge([leaf(root)], [root], { certificateMessageBytes: bytes, goVersionRules }).code;
    expect(at(65_536, '1.19')).toBe('TLS_OK');
    expect(at(65_537, '1.19')).toBe('TLS_CERT_UNPARSEABLE');
    expect(at(65_537, '1.20')).toBe('TLS_OK');
    expect(at(262_145, 'current')).toBe('TLS_CERT_UNPARSEABLE');
    expect(
      judge([leaf(root)], [root], { certificateMessageBytes: 70_000, goVersionRules: '1.19' }).reason,
    ).toContain('refuses handshake messages over 65536 bytes');
  });
});

describe('bounded path building', () => {
  it('stays bounded (one signature check each) among many same-named impostors', () => {
    const impostors = Array.from({ length: 30 }, () => makeCa('kops-intermediate', { issuer: root }));
    const real = makeCa('kops-intermediate');
    const verdict = judge([leaf(real), ...impostors], [root]);
    expect(verdict.code).toBe('TLS_UNTRUSTED_ISSUER');
  });
});

describe('matchDomainConstraint', () => {
  it('matches whole labels, case-insensitively; a leading dot needs one more label', () => {
    expect(matchDomainConstraint('api.K8S.example.com', 'k8s.example.com')).toBe(true);
    expect(matchDomainConstraint('k8s.example.com', '.k8s.example.com')).toBe(false);
    expect(matchDomainConstraint('api.k8s.example.com', '.k8s.example.com')).toBe(true);
    expect(matchDomainConstraint('apik8s.example.com', 'k8s.example.com')).toBe(false);
    expect(matchDomainConstraint('anything', '')).toBe(true);
    expect(matchDomainConstraint('bad..name', 'name')).toBeUndefined();
  });
});
