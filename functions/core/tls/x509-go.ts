import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  NameConstraints,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';
import { isIpText, parseMailbox, reverseLabels, uriHost } from './name-constraints.ts';

/**
 * A certificate as Go's crypto/x509 reads it (what kubelet uses): the fields its verifier
 * consults, decoded with the @peculiar ASN.1 schemas; the raw DER of issuer and subject (Go links
 * a certificate to its issuer only when these bytes are identical), the SAN entries and name
 * constraints as encoded (so Go's parser rules can be applied to the bytes: ASCII strings, 4- or
 * 16-byte IPs, contiguous masks), RSA-PSS parameters and policy extensions come from asn1js,
 * which keeps the encoded bytes of every element it decodes.
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
  /** rfc822Name subtrees: a full mailbox (`ops@corp.example`) or a domain (`corp.example`, `.corp.example`). */
  permittedEmails: string[];
  excludedEmails: string[];
  /** uniformResourceIdentifier subtrees: a domain the URI's host must fall in. */
  permittedUris: string[];
  excludedUris: string[];
  /** Subtree types Go does not apply (directoryName, otherName…): unhandled when the extension is critical. */
  otherTypes: boolean;
}

export interface GoCertificate {
  node: X509Certificate;
  rawSubject: Buffer;
  rawIssuer: Buffer;
  /**
   * The X.509 version as written (1, 2 or 3). Go reads extensions only from version 3: those of a
   * version-2 certificate are ignored (no basicConstraints, no SANs), and Go's "v3 without
   * basicConstraints is no CA" check applies to version 3 only, so a version-2 CA passes it like a
   * version-1 one.
   */
  version: number;
  serialNegative: boolean;
  signatureAlgorithm: string;
  /** Why Go cannot verify this certificate's RSA-PSS signature (its parameters); undefined otherwise. */
  pssUnsupported: string | undefined;
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
  emailAddresses: string[];
  uris: string[];
  nameConstraints: GoNameConstraints | undefined;
  /** Policy facts Go 1.24+ validates (RFC 5280 6.1); see policy.ts. */
  policy: GoPolicyFacts;
  /** Every critical extension, by OID, with whether its content is one Go can apply. */
  critical: { oid: string; contentHandled: boolean }[];
}

export interface GoPolicyFacts {
  /** certificatePolicies OIDs (2.5.29.32.0 is anyPolicy); empty without the extension. */
  policies: string[];
  /** policyConstraints requireExplicitPolicy / inhibitPolicyMapping; undefined when absent. */
  requireExplicitPolicy: number | undefined;
  inhibitPolicyMapping: number | undefined;
  /** inhibitAnyPolicy skipCerts; undefined without the extension. */
  inhibitAnyPolicy: number | undefined;
  /** policyMappings: issuer-domain policy to subject-domain policy. */
  mappings: { issuer: string; subject: string }[];
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
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

const oidText = (el: asn1js.AsnType | undefined): string | undefined =>
  el instanceof asn1js.ObjectIdentifier ? el.valueBlock.toString() : undefined;

/** A small non-negative INTEGER's value from its content bytes (implicitly tagged or not). */
function smallInt(el: asn1js.AsnType | undefined): number | undefined {
  const bytes = (el as asn1js.Primitive | undefined)?.valueBlock?.valueHexView;
  if (!bytes || bytes.length === 0 || bytes.length > 4) return undefined;
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/** The policy extensions, read leniently (a malformed one adds nothing). */
function readPolicy(oid: string, value: ArrayBuffer, policy: GoPolicyFacts): void {
  const top = derOf(value, `extension ${oid}`);
  if (oid === OID.certificatePolicies) {
    for (const info of children(top).slice(0, MAX_NAMES)) {
      const id = oidText(children(info)[0]);
      if (id) policy.policies.push(id);
    }
  } else if (oid === OID.policyConstraints) {
    for (const el of children(top)) {
      if (el.idBlock.tagClass !== 3) continue;
      if (el.idBlock.tagNumber === 0) policy.requireExplicitPolicy = smallInt(el);
      if (el.idBlock.tagNumber === 1) policy.inhibitPolicyMapping = smallInt(el);
    }
  } else if (oid === OID.inhibitAnyPolicy) {
    policy.inhibitAnyPolicy = smallInt(top);
  } else {
    for (const m of children(top).slice(0, MAX_NAMES)) {
      const [issuer, subject] = children(m).map(oidText);
      if (issuer && subject) policy.mappings.push({ issuer, subject });
    }
  }
}

/** KeyUsage bit for keyCertSign in @peculiar/asn1-x509's numbering. */
export const KEY_CERT_SIGN = 32;
const MAX_NAMES = 1000;

const hex = (buf: ArrayBuffer | undefined): string => (buf ? Buffer.from(buf).toString('hex') : '');

const RSA_PSS = '1.2.840.113549.1.1.10';
const PSS_HASHES: Readonly<Record<string, { name: string; bytes: number }>> = {
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', bytes: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', bytes: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', bytes: 64 },
};
const MGF1 = '1.2.840.113549.1.1.8';

/** An AlgorithmIdentifier: its OID, and whether its parameters are absent or NULL (all Go allows here). */
function algorithmOf(el: asn1js.AsnType | undefined): { oid: string; plainParams: boolean } | undefined {
  const [oid, params] = children(el);
  if (!(oid instanceof asn1js.ObjectIdentifier)) return undefined;
  return {
    oid: oid.valueBlock.toString(),
    plainParams: params === undefined || params instanceof asn1js.Null,
  };
}

/**
 * Go's RSA-PSS rule: hash SHA-256/384/512 (explicit), MGF1 with the same hash, salt length equal to
 * the hash length, trailer field 1. Anything else is an algorithm Go does not implement.
 */
function pssProblem(params: ArrayBuffer | undefined): string | undefined {
  if (!params) return 'no RSA-PSS parameters';
  let fields: asn1js.AsnType[];
  try {
    fields = children(derOf(params, 'RSA-PSS parameters'));
  } catch {
    return 'unreadable RSA-PSS parameters';
  }
  const field = (n: number): asn1js.AsnType | undefined =>
    children(fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === n))[0];
  const hash = algorithmOf(field(0));
  const hashInfo = hash ? PSS_HASHES[hash.oid] : undefined;
  if (!hash || !hashInfo || !hash.plainParams)
    return 'a hash other than SHA-256, SHA-384 or SHA-512 (SHA-1 when absent)';
  const mgf = field(1);
  const mgfAlg = algorithmOf(mgf);
  const mgfHash = algorithmOf(children(mgf)[1]);
  if (!mgfAlg || mgfAlg.oid !== MGF1 || !mgfHash || mgfHash.oid !== hash.oid || !mgfHash.plainParams) {
    return `a mask generation function other than MGF1 with ${hashInfo.name}`;
  }
  const int = (el: asn1js.AsnType | undefined): number | undefined =>
    el instanceof asn1js.Integer ? el.valueBlock.valueDec : undefined;
  const salt = int(field(2));
  if (salt !== hashInfo.bytes) {
    return `a salt of ${salt ?? 'no'} bytes where ${hashInfo.name} needs ${hashInfo.bytes}`;
  }
  const trailer = field(3) === undefined ? 1 : int(field(3));
  if (trailer !== 1) return `trailer field ${trailer ?? '?'}`;
  return undefined;
}

/** Curves Go's parser accepts for ECDSA keys (others: "unsupported elliptic curve"). */
const GO_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1']);

function checkPublicKey(node: X509Certificate): void {
  let key: X509Certificate['publicKey'];
  try {
    key = node.publicKey;
  } catch (err) {
    throw new CertificateParseError(`unreadable public key (${String(err).slice(0, 60)})`);
  }
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  if (key.asymmetricKeyType === 'ec' && (!curve || !GO_CURVES.has(curve))) {
    throw new CertificateParseError(
      `its ECDSA key uses curve ${curve ?? '(unnamed)'}; Go supports only P-224, P-256, P-384 and P-521`,
    );
  }
}

/** One GeneralName as encoded: its context tag, whether constructed, and its content bytes. */
interface RawName {
  tag: number;
  constructed: boolean;
  data: Buffer;
}

const GN = { email: 1, dns: 2, directory: 4, uri: 6, ip: 7 } as const;

function derOf(value: ArrayBuffer | Uint8Array, what: string): asn1js.AsnType {
  const decoded = asn1js.fromBER(value instanceof Uint8Array ? value : new Uint8Array(value));
  if (decoded.offset === -1 || decoded.offset !== decoded.result.valueBeforeDecodeView.byteLength) {
    throw new CertificateParseError(`unreadable ${what}`);
  }
  return decoded.result;
}

function rawName(el: asn1js.AsnType | undefined, what: string): RawName {
  if (el?.idBlock.tagClass !== 3) throw new CertificateParseError(`unreadable ${what}`);
  const constructed = el.idBlock.isConstructed;
  const data = constructed ? Buffer.alloc(0) : Buffer.from((el as asn1js.Primitive).valueBlock.valueHexView);
  return { tag: el.idBlock.tagNumber, constructed, data };
}

function children(el: asn1js.AsnType | undefined): asn1js.AsnType[] {
  const value = (el as asn1js.Constructed | undefined)?.valueBlock?.value;
  return Array.isArray(value) ? value : [];
}

/** Go's isIA5String: every byte ASCII. */
const ia5 = (data: Buffer): boolean => data.every((b) => b < 0x80);

/** Go's parseSANExtension: the DNS names, emails, URIs and IPs, refusing what Go's parser refuses. */
function parseSans(value: ArrayBuffer, out: GoCertificate): void {
  for (const el of children(derOf(value, 'subjectAltName')).slice(0, MAX_NAMES)) {
    const gn = rawName(el, 'subjectAltName entry');
    if (gn.constructed) continue;
    const text = gn.data.toString('latin1');
    switch (gn.tag) {
      case GN.email:
        if (!ia5(gn.data)) throw new CertificateParseError('SAN rfc822Name (email) is not an ASCII string');
        out.emailAddresses.push(text);
        break;
      case GN.dns:
        if (!ia5(gn.data)) throw new CertificateParseError('SAN dNSName is not an ASCII string');
        out.dnsNames.push(text);
        break;
      case GN.uri: {
        if (!ia5(gn.data)) throw new CertificateParseError('SAN URI is not an ASCII string');
        const host = uriHost(text);
        if (host === undefined) {
          throw new CertificateParseError(`SAN URI "${text.slice(0, 60)}" is not a URI Go can parse`);
        }
        if (host.length > 0 && !reverseLabels(host)) {
          throw new CertificateParseError(
            `SAN URI "${text.slice(0, 60)}" has a host that is not a valid domain`,
          );
        }
        out.uris.push(text);
        break;
      }
      case GN.ip:
        if (gn.data.length !== 4 && gn.data.length !== 16) {
          throw new CertificateParseError(`SAN IP address has ${gn.data.length} bytes (Go takes 4 or 16)`);
        }
        out.ipAddresses.push(gn.data);
        break;
      default:
        break;
    }
  }
}

/** Go's isValidIPMask: ones, then zeros. */
function validMask(mask: Buffer): boolean {
  let seenZero = false;
  for (const b of mask) {
    if (seenZero) {
      if (b !== 0) return false;
    } else if (b !== 0xff) {
      if (![0x00, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe].includes(b)) return false;
      seenZero = true;
    }
  }
  return true;
}

const domainConstraintOk = (c: string): boolean =>
  reverseLabels(c.startsWith('.') ? c.slice(1) : c) !== undefined;

/** Go's parseNameConstraintsExtension: the four subtree types it applies; `other` for the rest. */
function parseNameConstraints(value: ArrayBuffer): GoNameConstraints {
  const out: GoNameConstraints = {
    permittedDns: [],
    excludedDns: [],
    permittedIps: [],
    excludedIps: [],
    permittedEmails: [],
    excludedEmails: [],
    permittedUris: [],
    excludedUris: [],
    otherTypes: false,
  };
  const top = children(derOf(value, 'nameConstraints'));
  let any = false;
  for (const list of top) {
    const which = list.idBlock.tagNumber === 0 ? 'permitted' : 'excluded';
    if (list.idBlock.tagClass !== 3 || list.idBlock.tagNumber > 1) {
      throw new CertificateParseError('invalid nameConstraints extension');
    }
    for (const subtree of children(list).slice(0, MAX_NAMES)) {
      any = true;
      const gn = rawName(children(subtree)[0], 'name constraint');
      const text = gn.data.toString('latin1');
      const bad = (what: string): CertificateParseError =>
        new CertificateParseError(`${which} ${what} name constraint "${text.slice(0, 40)}" is invalid`);
      if (gn.constructed || ![GN.email, GN.dns, GN.uri, GN.ip].includes(gn.tag as 1)) {
        out.otherTypes = true;
        continue;
      }
      if (gn.tag === GN.ip) {
        if (gn.data.length !== 8 && gn.data.length !== 32) {
          throw new CertificateParseError(
            `${which} IP name constraint has ${gn.data.length} bytes (Go takes 8 or 32)`,
          );
        }
        const half = gn.data.length / 2;
        const range = { ip: gn.data.subarray(0, half), mask: gn.data.subarray(half) };
        if (!validMask(range.mask)) {
          throw new CertificateParseError(
            `${which} IP name constraint has a non-contiguous mask ${range.mask.toString('hex')}`,
          );
        }
        (which === 'permitted' ? out.permittedIps : out.excludedIps).push(range);
        continue;
      }
      if (!ia5(gn.data)) throw bad('non-ASCII');
      if (gn.tag === GN.dns) {
        if (!domainConstraintOk(text)) throw bad('DNS');
        (which === 'permitted' ? out.permittedDns : out.excludedDns).push(text);
      } else if (gn.tag === GN.email) {
        if (text.includes('@') ? !parseMailbox(text) : !domainConstraintOk(text)) throw bad('email');
        (which === 'permitted' ? out.permittedEmails : out.excludedEmails).push(text);
      } else {
        if (isIpText(text) || !domainConstraintOk(text)) throw bad('URI');
        (which === 'permitted' ? out.permittedUris : out.excludedUris).push(text);
      }
    }
  }
  if (!any) throw new CertificateParseError('empty nameConstraints extension');
  return out;
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
    pssUnsupported: undefined,
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
    emailAddresses: [],
    uris: [],
    nameConstraints: undefined,
    policy: {
      policies: [],
      requireExplicitPolicy: undefined,
      inhibitPolicyMapping: undefined,
      inhibitAnyPolicy: undefined,
      mappings: [],
    },
    critical: [],
  };
  if (out.version < 1 || out.version > 3)
    throw new CertificateParseError(`invalid X.509 version ${out.version}`);
  checkPublicKey(node);
  if (out.signatureAlgorithm === RSA_PSS) {
    out.pssUnsupported = pssProblem(cert.signatureAlgorithm.parameters ?? undefined);
  }
  const seen = new Set<string>();
  // Go reads extensions from version 3 certificates only.
  for (const ext of out.version === 3 ? (tbs.extensions ?? []) : []) {
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
        case OID.subjectAltName:
          AsnConvert.parse(value, SubjectAlternativeName);
          out.hasSan = true;
          parseSans(value, out);
          break;
        case OID.nameConstraints:
          AsnConvert.parse(value, NameConstraints);
          out.nameConstraints = parseNameConstraints(value);
          contentHandled = !out.nameConstraints.otherTypes;
          break;
        case OID.certificatePolicies:
        case OID.policyConstraints:
        case OID.inhibitAnyPolicy:
        case OID.policyMappings:
          readPolicy(ext.extnID, value, out.policy);
          break;
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
