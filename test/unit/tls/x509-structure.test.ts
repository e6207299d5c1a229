import { describe, expect, it } from 'vitest';
import { readCertificate, StructureError } from '../../../functions/core/tls/x509-structure.ts';

/**
 * The certificate structure read as Go's parseCertificate reads it, on hand-built DER (the
 * signature is never checked here, so none is made): what Go refuses is refused with its reason,
 * what Go accepts or never reads is accepted.
 */

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  const n = content.length;
  const len = n < 0x80 ? b(n) : n < 0x100 ? b(0x81, n) : b(0x82, n >> 8, n & 0xff);
  return Buffer.concat([b(tag), len, content]);
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

const ECDSA_SHA256 = seq(hex('06082a8648ce3d040302'));
const CN = hex('0603550403');
const nameOf = (value: Buffer): Buffer => seq(tlv(0x31, seq(CN, value)));
const utf8Name = (cn: string): Buffer => nameOf(tlv(0x0c, ascii(cn)));
const utc = (text: string): Buffer => tlv(0x17, ascii(text));
const SPKI = seq(seq(hex('06072a8648ce3d0201'), hex('06082a8648ce3d030107')), tlv(0x03, b(0, 4, 1, 2)));
const ext = (oid: string, value: Buffer, critical?: Buffer): Buffer =>
  seq(hex(oid), ...(critical ? [critical] : []), tlv(0x04, value));
const BC = '0603551d13';
const SKI = '0603551d0e';

interface Parts {
  version?: Buffer | null;
  serial?: Buffer;
  innerAlg?: Buffer;
  outerAlg?: Buffer;
  issuer?: Buffer;
  validity?: Buffer;
  subject?: Buffer;
  afterSpki?: Buffer[];
  signature?: Buffer;
  /** Elements after the signature. */
  after?: Buffer[];
}

function cert(p: Parts = {}): Buffer {
  const version = p.version === null ? [] : [p.version ?? tlv(0xa0, hex('020102'))];
  const tbs = seq(
    ...version,
    p.serial ?? hex('020101'),
    p.innerAlg ?? ECDSA_SHA256,
    p.issuer ?? utf8Name('ca'),
    p.validity ?? seq(utc('250101000000Z'), utc('350101000000Z')),
    p.subject ?? utf8Name('leaf'),
    SPKI,
    ...(p.afterSpki ?? [tlv(0xa3, seq(ext(BC, seq(hex('0101ff')), hex('0101ff'))))]),
  );
  return seq(tbs, p.outerAlg ?? ECDSA_SHA256, p.signature ?? tlv(0x03, b(0, 1, 2)), ...(p.after ?? []));
}

const refused = (der: Buffer, why: RegExp): void => {
  expect(() => readCertificate(der)).toThrow(StructureError);
  expect(() => readCertificate(der)).toThrow(why);
};

describe('readCertificate: the structure Go accepts', () => {
  it('reads version, serial sign, signature algorithm, raw names and extensions', () => {
    const issuer = utf8Name('kubernetes-ca');
    const got = readCertificate(cert({ issuer, serial: hex('0201ff') }));
    expect(got.version).toBe(3);
    expect(got.serialNegative).toBe(true);
    expect(got.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
    expect(got.rawIssuer.equals(issuer)).toBe(true);
    expect(got.rawSubject.equals(utf8Name('leaf'))).toBe(true);
    expect(got.extensions).toEqual([{ oid: '2.5.29.19', critical: true, value: seq(hex('0101ff')) }]);
  });

  it('takes a version-1 certificate (no version field) and reads no extensions from it', () => {
    const got = readCertificate(cert({ version: null }));
    expect(got.version).toBe(1);
    expect(got.extensions).toEqual([]);
  });

  it('skips primitive unique identifiers [1] and [2] of a version-2 or -3 certificate', () => {
    const ids = [tlv(0x81, b(0, 1)), tlv(0x82, b(0, 2)), tlv(0xa3, seq(ext(SKI, tlv(0x04, b(1)))))];
    expect(readCertificate(cert({ afterSpki: ids })).extensions.map((e) => e.oid)).toEqual(['2.5.29.14']);
  });

  it('takes critical FALSE written out, and string types Go reads in names', () => {
    const explicitFalse = tlv(0xa3, seq(ext(SKI, tlv(0x04, b(1)), hex('010100'))));
    expect(readCertificate(cert({ afterSpki: [explicitFalse] })).extensions[0]?.critical).toBe(false);
    for (const value of [
      tlv(0x13, ascii("Wild*card & Co's (x)")),
      tlv(0x16, ascii('ops@example.com')),
      tlv(0x12, ascii('0123 456')),
      tlv(0x14, b(0xe9)),
      tlv(0x1e, b(0, 0x61)),
    ]) {
      expect(readCertificate(cert({ subject: nameOf(value) })).version).toBe(3);
    }
  });

  it('takes UTCTime without seconds and with an offset, and GeneralizedTime', () => {
    for (const validity of [
      seq(utc('2501010000Z'), utc('350101000000+0130')),
      seq(tlv(0x18, ascii('20250101000000Z')), tlv(0x18, ascii('20480229120000Z'))),
    ]) {
      expect(readCertificate(cert({ validity })).version).toBe(3);
    }
  });

  it('does not read bytes after the signature, as Go does not', () => {
    expect(readCertificate(cert({ after: [hex('0500'), hex('ffff')] })).version).toBe(3);
  });
});

describe("readCertificate: what Go's parser refuses", () => {
  it('version: above 3, negative, non-minimal, or with bytes after it', () => {
    refused(cert({ version: tlv(0xa0, hex('020103')) }), /invalid version 4/);
    refused(cert({ version: tlv(0xa0, hex('0201ff')) }), /malformed version/);
    refused(
      cert({ version: tlv(0xa0, hex('02020002')) }),
      /malformed version \(INTEGER not in its shortest form\)/,
    );
    refused(cert({ version: tlv(0xa0, hex('020102 0500')) }), /malformed version \(trailing bytes/);
  });

  it('serial: empty or non-minimal INTEGER', () => {
    refused(cert({ serial: hex('0200') }), /malformed serial number/);
    refused(cert({ serial: hex('02020001') }), /malformed serial number/);
  });

  it('signature algorithm: inner and outer not byte-identical, or a bad OID', () => {
    refused(cert({ outerAlg: seq(hex('06082a8648ce3d040302'), hex('0500')) }), /don't match/);
    const bad = seq(hex('0603 2a 8086'));
    refused(cert({ innerAlg: bad, outerAlg: bad }), /malformed OID/);
  });

  it('names: not a SET of attributes, no OID, or a value that is no valid string', () => {
    refused(cert({ issuer: seq(seq(CN, tlv(0x0c, ascii('x')))) }), /invalid RDNSequence/);
    refused(cert({ issuer: seq(tlv(0x31, seq(tlv(0x0c, ascii('x'))))) }), /invalid attribute type/);
    refused(cert({ subject: nameOf(hex('020101')) }), /unsupported string type/);
    refused(cert({ subject: nameOf(tlv(0x13, ascii('a@b'))) }), /invalid PrintableString/);
    refused(cert({ subject: nameOf(tlv(0x0c, b(0xc3, 0x28))) }), /invalid UTF-8 string/);
    refused(cert({ subject: nameOf(tlv(0x16, b(0xe9))) }), /invalid IA5String/);
    refused(cert({ subject: nameOf(tlv(0x12, ascii('12a'))) }), /invalid NumericString/);
    refused(cert({ subject: nameOf(tlv(0x1e, b(0))) }), /invalid BMPString/);
  });

  it('validity: another type, or a time Go would not write back the same way', () => {
    const at = (t: Buffer): Buffer => seq(t, utc('350101000000Z'));
    refused(cert({ validity: at(hex('020101')) }), /unsupported time format/);
    refused(cert({ validity: at(utc('250101000000+0000')) }), /malformed UTCTime/);
    refused(cert({ validity: at(utc('250230000000Z')) }), /malformed UTCTime/);
    refused(cert({ validity: at(utc('25010100000Z')) }), /malformed UTCTime/);
    refused(cert({ validity: at(tlv(0x18, ascii('20250101000000.5Z'))) }), /malformed GeneralizedTime/);
    refused(cert({ validity: at(tlv(0x18, ascii('20250101240000Z'))) }), /malformed GeneralizedTime/);
  });

  it('extensions: duplicates, a critical flag other than 0x00/0xff, a value that is no OCTET STRING', () => {
    const twice = tlv(0xa3, seq(ext(SKI, tlv(0x04, b(1))), ext(SKI, tlv(0x04, b(2)))));
    refused(cert({ afterSpki: [twice] }), /duplicate extensions \(2\.5\.29\.14\)/);
    refused(
      cert({ afterSpki: [tlv(0xa3, seq(ext(SKI, tlv(0x04, b(1)), hex('010101'))))] }),
      /critical field/,
    );
    refused(
      cert({ afterSpki: [tlv(0xa3, seq(seq(hex(SKI), hex('0500'))))] }),
      /malformed extension value field/,
    );
    refused(cert({ afterSpki: [tlv(0xa3, seq(hex('0500')))] }), /malformed extension \(/);
  });

  it('encodings: a non-minimal length anywhere Go reads, and a bad signature BIT STRING', () => {
    const name = utf8Name('ca');
    const longForm = Buffer.concat([b(0x30, 0x81, name.length - 2), name.subarray(2)]);
    refused(cert({ issuer: longForm }), /malformed issuer \(long-form length below 128/);
    refused(cert({ signature: tlv(0x03, b(1, 1)) }), /malformed signature/);
  });
});
