import { describe, expect, it } from 'vitest';
import { CertificateParseError, goCertificate, KEY_CERT_SIGN } from '../../../functions/core/tls/x509-go.ts';
import { KU, type LabSpec, makeCa, makeCert } from '../../../sandbox/x509-lab.ts';

/**
 * Each extension read as Go's processExtensions reads it, on lab certificates whose extension
 * values are written byte for byte: the facts the verifier uses, and the encodings Go refuses.
 */

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');
const root = makeCa('x509-go-root');
const leafWith = (more: Partial<LabSpec>) =>
  makeCert({ subject: { cn: 'leaf' }, issuer: root, dns: ['a.example.com'], ...more });
const withExtension = (oid: string, value: string, critical = false) =>
  goCertificate(
    leafWith({ ...(oid === '2.5.29.17' ? { dns: [] } : {}), extra: [{ oid, critical, value: hex(value) }] })
      .x509,
  );
const refuses = (oid: string, value: string, why: RegExp): void => {
  const read = () => withExtension(oid, value);
  expect(read).toThrow(CertificateParseError);
  expect(read).toThrow(why);
};

describe('goCertificate: extension facts', () => {
  it('keyUsage: named bit i is 1 << i, bits 0 to 8 only (Go reads nine)', () => {
    expect(goCertificate(makeCa('ku-ca', { keyUsage: KU.keyCertSign | KU.cRLSign }).x509).keyUsage).toBe(96);
    expect(KEY_CERT_SIGN).toBe(1 << 5);
    expect(withExtension('2.5.29.15', '03030700 80').keyUsage).toBe(256);
    expect(withExtension('2.5.29.15', '03030600 40').keyUsage).toBe(0);
    expect(goCertificate(leafWith({}).x509).keyUsage).toBeUndefined();
  });

  it('basicConstraints: cA and pathLen, defaults, and what follows them unread', () => {
    const ca = goCertificate(makeCa('bc-ca', { pathLen: 2 }).x509);
    expect([ca.basicConstraintsValid, ca.isCa, ca.maxPathLen]).toEqual([true, true, 2]);
    const bare = withExtension('2.5.29.19', '3000', true);
    expect([bare.basicConstraintsValid, bare.isCa, bare.maxPathLen]).toEqual([true, false, -1]);
    const trailing = withExtension('2.5.29.19', '3008 0101ff 020101 ffff', true);
    expect([trailing.isCa, trailing.maxPathLen]).toEqual([true, 1]);
  });

  it('key identifiers, extended key usage and SANs as encoded', () => {
    const ca = makeCa('kid-ca');
    const leaf = goCertificate(
      makeCert({ subject: { cn: 'l' }, issuer: ca, eku: ['1.3.6.1.5.5.7.3.1'] }).x509,
    );
    expect(leaf.authorityKeyId).toBe(ca.ski.toString('hex'));
    expect(goCertificate(ca.x509).subjectKeyId).toBe(ca.ski.toString('hex'));
    expect(leaf.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const sans = goCertificate(leafWith({ ips: ['10.0.0.1'], emails: ['a@b.example'] }).x509);
    expect([sans.hasSan, sans.dnsNames, sans.emailAddresses]).toEqual([
      true,
      ['a.example.com'],
      ['a@b.example'],
    ]);
    expect(sans.ipAddresses.map((ip) => [...ip])).toEqual([[10, 0, 0, 1]]);
  });

  it('SAN: entries Go does not read are skipped, not refused', () => {
    const san = goCertificate(
      leafWith({
        dns: [],
        extra: [{ oid: '2.5.29.17', critical: false, value: hex('3009 820178 0c0179 a40130') }],
      }).x509,
    );
    expect(san.dnsNames).toEqual(['x']);
  });

  it('policies: certificatePolicies OIDs; a critical extension Go handles is marked handled', () => {
    const got = withExtension('2.5.29.32', '300c 300a 0608 2b06010401823701', true);
    expect(got.policy.policies).toEqual(['1.3.6.1.4.1.311.1']);
    expect(got.critical).toEqual([{ oid: '2.5.29.32', contentHandled: true }]);
  });
});

describe("goCertificate: extension encodings Go's parser refuses", () => {
  it('basicConstraints: not a SEQUENCE, a BOOLEAN other than 0x00/0xff, a non-minimal pathLen', () => {
    refuses('2.5.29.19', '0500', /unreadable extension 2\.5\.29\.19/);
    refuses('2.5.29.19', '3003 010101', /BOOLEAN neither/);
    refuses('2.5.29.19', '3004 02020001', /shortest form/);
  });

  it('a refused certificate is remembered: the same refusal again, not a second decode', () => {
    const cert = leafWith({ extra: [{ oid: '2.5.29.19', critical: false, value: hex('0500') }] }).x509;
    const refusal = (): unknown => {
      try {
        goCertificate(cert);
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const first = refusal();
    expect(first).toBeInstanceOf(CertificateParseError);
    expect(refusal()).toBe(first);
  });

  it('keyUsage: not a BIT STRING, or padding bits set', () => {
    refuses('2.5.29.15', '0401a0', /unreadable extension 2\.5\.29\.15/);
    refuses('2.5.29.15', '030205a1', /padding/);
  });

  it('extKeyUsage and certificatePolicies: entries that are no OID / no SEQUENCE', () => {
    refuses('2.5.29.37', '3003 020101', /unreadable extension 2\.5\.29\.37/);
    refuses('2.5.29.32', '3003 020101', /unreadable extension 2\.5\.29\.32/);
  });

  it('SAN: a non-minimal length, an indefinite length, or a high tag', () => {
    refuses('2.5.29.17', '3081 03 820178', /long-form length below 128/);
    refuses('2.5.29.17', '3080 820178 0000', /indefinite length/);
    refuses('2.5.29.17', '3004 9f1f0178', /high-tag-number form/);
  });

  it('nameConstraints: excluded before permitted, empty, or bytes after it', () => {
    refuses(
      '2.5.29.30',
      '3016 a109 3007 8205 612e636f6d a009 3007 8205 622e636f6d',
      /invalid nameConstraints/,
    );
    refuses('2.5.29.30', '3000', /empty nameConstraints/);
    refuses('2.5.29.30', '3004 a0003000', /invalid nameConstraints/);
    refuses('2.5.29.30', '300b a009 3007 8205 612e636f6d 0000', /invalid nameConstraints/);
  });

  it('authority info access and CRL distribution points: malformed lists', () => {
    refuses('1.3.6.1.5.5.7.1.1', '3003 020101', /unreadable extension 1\.3\.6\.1\.5\.5\.7\.1\.1/);
    refuses('2.5.29.31', '3004 3002 a000', /unreadable extension 2\.5\.29\.31/);
    expect(withExtension('2.5.29.31', '3002 3000').critical).toEqual([]);
  });
});
