import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  type GeneralName,
  KeyUsage,
  NameConstraints,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';

/**
 * A certificate as Go's crypto/x509 reads it (what kubelet uses): the fields its verifier
 * consults, decoded with the @peculiar ASN.1 schemas; the raw DER of issuer and subject (Go links
 * a certificate to its issuer only when these bytes are identical) comes from asn1js, which keeps
 * the encoded bytes of every element it decodes.
 */

export interface IpRange {
  /** 4 or 16 bytes. */
  ip: Buffer;
  mask: Buffer;
}

export interface GoNameConstraints {
  permittedDns: string[];
  excludedDns: string[];
  permittedIps: IpRange[];
  excludedIps: IpRange[];
  /** Subtree types Go does not apply (directoryName, otherName…): unhandled when the extension is critical. */
  otherTypes: boolean;
}

export interface GoCertificate {
  node: X509Certificate;
  rawSubject: Buffer;
  rawIssuer: Buffer;
  /** 1 or 3 (2 counts as 3 for Go's v3 checks). */
  version: number;
  serialNegative: boolean;
  signatureAlgorithm: string;
  basicConstraintsValid: boolean;
  isCa: boolean;
  /** -1 when there is no path-length limit. */
  maxPathLen: number;
  /** Bit flags as @peculiar/asn1-x509 numbers them; undefined without the extension. */
  keyUsage: number | undefined;
  extKeyUsage: string[];
  subjectKeyId: string;
  authorityKeyId: string;
  hasSan: boolean;
  dnsNames: string[];
  /** 4- or 16-byte addresses, as encoded. */
  ipAddresses: Buffer[];
  nameConstraints: GoNameConstraints | undefined;
  /** Every critical extension, by OID, with whether its content is one Go can apply. */
  critical: { oid: string; contentHandled: boolean }[];
}

export class CertificateParseError extends Error {
  override readonly name = 'CertificateParseError';
}

export const OID = {
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  extKeyUsage: '2.5.29.37',
  authorityKeyId: '2.5.29.35',
  subjectKeyId: '2.5.29.14',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/** KeyUsage bit for keyCertSign in @peculiar/asn1-x509's numbering. */
export const KEY_CERT_SIGN = 32;
const MAX_NAMES = 1000;

const hex = (buf: ArrayBuffer | undefined): string => (buf ? Buffer.from(buf).toString('hex') : '');

/** `a.b.c.d/len` or `v6/len` (the form @peculiar/asn1-x509 decodes a constraint to) back to bytes. */
export function cidrToRange(text: string): IpRange | undefined {
  const [addr = '', prefixText = ''] = text.split('/');
  const prefix = Number.parseInt(prefixText, 10);
  let ip: Buffer;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) {
    ip = Buffer.from(addr.split('.').map((p) => Number.parseInt(p, 10)));
  } else if (addr.includes(':')) {
    const [left = '', right = ''] = addr.includes('::') ? addr.split('::') : [addr, ''];
    const l = left ? left.split(':') : [];
    const r = right ? right.split(':') : [];
    const groups = addr.includes('::') ? [...l, ...Array(8 - l.length - r.length).fill('0'), ...r] : l;
    if (groups.length !== 8) return undefined;
    ip = Buffer.alloc(16);
    for (const [i, g] of groups.entries()) ip.writeUInt16BE(Number.parseInt(g, 16) & 0xffff, i * 2);
  } else {
    return undefined;
  }
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > ip.length * 8) return undefined;
  const mask = Buffer.alloc(ip.length);
  for (let i = 0; i < mask.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    mask[i] = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return { ip, mask };
}

function ipBytes(text: string): Buffer | undefined {
  const range = cidrToRange(`${text}/${text.includes(':') ? 128 : 32}`);
  return range?.ip;
}

function subtrees(
  list: readonly { base: GeneralName }[] | undefined,
  out: { dns: string[]; ips: IpRange[] },
): boolean {
  let other = false;
  for (const subtree of (list ?? []).slice(0, MAX_NAMES)) {
    const base = subtree.base;
    if (base.dNSName !== undefined) out.dns.push(base.dNSName);
    else if (base.iPAddress !== undefined) {
      const range = cidrToRange(base.iPAddress);
      if (!range)
        throw new CertificateParseError(`unreadable IP name constraint ${base.iPAddress.slice(0, 40)}`);
      out.ips.push(range);
    } else if (base.rfc822Name === undefined && base.uniformResourceIdentifier === undefined) other = true;
  }
  return other;
}

/** Raw DER of issuer and subject: asn1js keeps each element's encoded bytes. */
function rawNames(der: Buffer): { rawIssuer: Buffer; rawSubject: Buffer } {
  const decoded = asn1js.fromBER(new Uint8Array(der));
  if (decoded.offset === -1) throw new CertificateParseError('not DER');
  const cert = decoded.result as asn1js.Sequence;
  const tbs = cert.valueBlock.value[0] as asn1js.Sequence | undefined;
  const fields = tbs?.valueBlock.value ?? [];
  const first = fields[0];
  const at = first && first.idBlock.tagClass === 3 ? 1 : 0;
  const issuer = fields[at + 2];
  const subject = fields[at + 4];
  if (!issuer || !subject) throw new CertificateParseError('no issuer or subject');
  return {
    rawIssuer: Buffer.from(issuer.valueBeforeDecodeView),
    rawSubject: Buffer.from(subject.valueBeforeDecodeView),
  };
}

/** Decoded certificates by SHA-256 fingerprint: probes of one run see the same chain and roots again. */
const parsed = new Map<string, Omit<GoCertificate, 'node'>>();
const MAX_CACHED = 256;

/** Decodes one certificate (cached, bounded). Throws CertificateParseError. */
export function goCertificate(node: X509Certificate): GoCertificate {
  const key = node.fingerprint256;
  const cached = parsed.get(key);
  if (cached) return { ...cached, node };
  const out = decode(node);
  if (parsed.size >= MAX_CACHED) {
    const oldest = parsed.keys().next().value;
    if (oldest !== undefined) parsed.delete(oldest);
  }
  const { node: _node, ...facts } = out;
  parsed.set(key, facts);
  return out;
}

function decode(node: X509Certificate): GoCertificate {
  const der = node.raw;
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw new CertificateParseError(`not a parseable X.509 certificate (${String(err).slice(0, 80)})`);
  }
  const tbs = cert.tbsCertificate;
  const serial = new Uint8Array(tbs.serialNumber);
  const out: GoCertificate = {
    node,
    ...rawNames(der),
    version: tbs.version + 1,
    serialNegative: serial.length > 0 && ((serial[0] ?? 0) & 0x80) !== 0,
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    basicConstraintsValid: false,
    isCa: false,
    maxPathLen: -1,
    keyUsage: undefined,
    extKeyUsage: [],
    subjectKeyId: '',
    authorityKeyId: '',
    hasSan: false,
    dnsNames: [],
    ipAddresses: [],
    nameConstraints: undefined,
    critical: [],
  };
  const seen = new Set<string>();
  for (const ext of tbs.extensions ?? []) {
    if (seen.has(ext.extnID)) throw new CertificateParseError(`extension ${ext.extnID} appears twice`);
    seen.add(ext.extnID);
    const value = ext.extnValue.buffer;
    let contentHandled = true;
    try {
      switch (ext.extnID) {
        case OID.basicConstraints: {
          const bc = AsnConvert.parse(value, BasicConstraints);
          out.basicConstraintsValid = true;
          out.isCa = bc.cA;
          out.maxPathLen = bc.pathLenConstraint ?? -1;
          break;
        }
        case OID.keyUsage:
          out.keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
          break;
        case OID.extKeyUsage:
          out.extKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)];
          break;
        case OID.subjectKeyId:
          out.subjectKeyId = hex(AsnConvert.parse(value, SubjectKeyIdentifier).buffer);
          break;
        case OID.authorityKeyId:
          out.authorityKeyId = hex(AsnConvert.parse(value, AuthorityKeyIdentifier).keyIdentifier?.buffer);
          break;
        case OID.subjectAltName: {
          out.hasSan = true;
          for (const gn of [...AsnConvert.parse(value, SubjectAlternativeName)].slice(0, MAX_NAMES)) {
            if (gn.dNSName !== undefined) out.dnsNames.push(gn.dNSName);
            else if (gn.iPAddress !== undefined) {
              const ip = ipBytes(gn.iPAddress);
              if (ip) out.ipAddresses.push(ip);
            }
          }
          break;
        }
        case OID.nameConstraints: {
          const nc = AsnConvert.parse(value, NameConstraints);
          const permitted = { dns: [] as string[], ips: [] as IpRange[] };
          const excluded = { dns: [] as string[], ips: [] as IpRange[] };
          const otherPermitted = subtrees(nc.permittedSubtrees, permitted);
          const other = subtrees(nc.excludedSubtrees, excluded) || otherPermitted;
          out.nameConstraints = {
            permittedDns: permitted.dns,
            excludedDns: excluded.dns,
            permittedIps: permitted.ips,
            excludedIps: excluded.ips,
            otherTypes: other,
          };
          contentHandled = !other;
          break;
        }
        default:
          break;
      }
    } catch (err) {
      if (err instanceof CertificateParseError) throw err;
      throw new CertificateParseError(`unreadable extension ${ext.extnID} (${String(err).slice(0, 80)})`);
    }
    if (ext.critical) out.critical.push({ oid: ext.extnID, contentHandled });
  }
  return out;
}
