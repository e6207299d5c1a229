import type { X509Certificate } from 'node:crypto';
import {
  bitAt,
  bitString,
  boolean,
  CLASS,
  context,
  type DerElement,
  DerError,
  DerReader,
  hasTag,
  oid,
  readFirst,
  readOne,
  SEQUENCE,
  smallInteger,
  UNIVERSAL,
  universal,
} from './der.ts';
import { CertificateParseError } from './x509-errors.ts';
import { type GoNameConstraints, parseNameConstraints, parseSans } from './x509-general-names.ts';
import { checkAuthorityInfoAccess, checkCrlDistributionPoints } from './x509-locations.ts';
import { readCertificate, StructureError } from './x509-structure.ts';

/**
 * A certificate as Go's crypto/x509 reads it (what kubelet uses): the fields its verifier
 * consults, read with our DER reader (der.ts) the way Go's parser (crypto/x509/parser.go, on
 * cryptobyte) reads them, refusing what it refuses: the structure in x509-structure.ts, the SAN and
 * name constraints in x509-general-names.ts, the extensions below. The raw DER of issuer and
 * subject is kept (Go links a certificate to its issuer only when these bytes are identical).
 */

export { CertificateParseError } from './x509-errors.ts';
export type { GoNameConstraints, IpRange } from './x509-general-names.ts';

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
  /** Bit flags as Go numbers them (named bit i is 1 << i, bits 0 to 8); undefined without the extension. */
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

export const OID = {
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  extKeyUsage: '2.5.29.37',
  authorityKeyId: '2.5.29.35',
  subjectKeyId: '2.5.29.14',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

/** KeyUsage flag for keyCertSign (named bit 5), as Go's KeyUsageCertSign. */
export const KEY_CERT_SIGN = 32;
/** Go reads the first nine named bits (digitalSignature … decipherOnly). */
const KEY_USAGE_BITS = 9;
const MAX_POLICIES = 1000;

const OID_TAG = universal(UNIVERSAL.oid);
const INTEGER = universal(UNIVERSAL.integer);

/** An OID, or undefined when the element is not a well-formed one (the lenient policy readers). */
function oidOrUndefined(el: DerElement | undefined): string | undefined {
  if (!hasTag(el, OID_TAG) || !el) return undefined;
  try {
    return oid(el);
  } catch {
    return undefined;
  }
}

/** A small non-negative INTEGER's value from its content bytes (implicitly tagged or not). */
function smallInt(el: DerElement | undefined): number | undefined {
  const bytes = el && !el.constructed ? el.content : undefined;
  if (!bytes || bytes.length === 0 || bytes.length > 4) return undefined;
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/** Every element of a constructed one, or none when it is not a readable constructed element. */
function childrenOrNone(el: DerElement | undefined): DerElement[] {
  if (!el?.constructed) return [];
  try {
    return DerReader.of(el).readAll();
  } catch {
    return [];
  }
}

/**
 * certificatePolicies as Go reads it (every Go release parses it): SEQUENCE OF SEQUENCE { OID, … };
 * a malformed one is an error. Policy OIDs of any size are taken, as Go's x509.OID does since 1.22.
 */
function readCertificatePolicies(value: Buffer, policy: GoPolicyFacts): void {
  const list = DerReader.of(readFirst(value, SEQUENCE, 'certificate policies'));
  while (!list.empty()) {
    const info = DerReader.of(list.read(SEQUENCE, 'policy information'));
    const id = oid(info.read(OID_TAG, 'policy identifier'));
    if (policy.policies.length < MAX_POLICIES) policy.policies.push(id);
  }
}

/**
 * policyMappings, policyConstraints, inhibitAnyPolicy: Go parses them from 1.24 only, so they are
 * read leniently (a malformed part adds nothing), once their value is one readable element.
 */
function readPolicyExtension(id: string, value: Buffer, policy: GoPolicyFacts): void {
  const top = readOne(value, `extension ${id}`);
  if (id === OID.policyConstraints) {
    for (const el of childrenOrNone(top)) {
      if (el.tagClass !== CLASS.context) continue;
      if (el.number === 0) policy.requireExplicitPolicy = smallInt(el);
      if (el.number === 1) policy.inhibitPolicyMapping = smallInt(el);
    }
  } else if (id === OID.inhibitAnyPolicy) {
    policy.inhibitAnyPolicy = hasTag(top, INTEGER) ? smallInt(top) : undefined;
  } else {
    for (const m of childrenOrNone(top).slice(0, MAX_POLICIES)) {
      const [issuer, subject] = childrenOrNone(m).map(oidOrUndefined);
      if (issuer && subject) policy.mappings.push({ issuer, subject });
    }
  }
}

const RSA_PSS = '1.2.840.113549.1.1.10';
const PSS_HASHES: Readonly<Record<string, { name: string; bytes: number }>> = {
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', bytes: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', bytes: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', bytes: 64 },
};
const MGF1 = '1.2.840.113549.1.1.8';
const NULL = universal(UNIVERSAL.null);

/** An AlgorithmIdentifier: its OID, and whether its parameters are absent or NULL (all Go allows here). */
function algorithmOf(el: DerElement | undefined): { oid: string; plainParams: boolean } | undefined {
  const [id, params] = childrenOrNone(el);
  const text = oidOrUndefined(id);
  if (!text) return undefined;
  return {
    oid: text,
    plainParams: params === undefined || (hasTag(params, NULL) && params.content.length === 0),
  };
}

/**
 * Go's RSA-PSS rule: hash SHA-256/384/512 (explicit), MGF1 with the same hash, salt length equal to
 * the hash length, trailer field 1. Anything else is an algorithm Go does not implement.
 */
function pssProblem(params: DerElement | undefined): string | undefined {
  if (!params) return 'no RSA-PSS parameters';
  if (!hasTag(params, SEQUENCE)) return 'unreadable RSA-PSS parameters';
  let fields: DerElement[];
  try {
    fields = DerReader.of(params).readAll('RSA-PSS parameter');
  } catch {
    return 'unreadable RSA-PSS parameters';
  }
  const field = (n: number): DerElement | undefined =>
    childrenOrNone(fields.find((f) => f.tagClass === CLASS.context && f.number === n))[0];
  const hash = algorithmOf(field(0));
  const hashInfo = hash ? PSS_HASHES[hash.oid] : undefined;
  if (!hash || !hashInfo || !hash.plainParams)
    return 'a hash other than SHA-256, SHA-384 or SHA-512 (SHA-1 when absent)';
  const mgf = field(1);
  const mgfAlg = algorithmOf(mgf);
  const mgfHash = algorithmOf(childrenOrNone(mgf)[1]);
  if (!mgfAlg || mgfAlg.oid !== MGF1 || !mgfHash || mgfHash.oid !== hash.oid || !mgfHash.plainParams) {
    return `a mask generation function other than MGF1 with ${hashInfo.name}`;
  }
  const int = (el: DerElement | undefined): number | undefined => {
    if (!hasTag(el, INTEGER) || !el) return undefined;
    try {
      return smallInteger(el);
    } catch {
      return undefined;
    }
  };
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

/**
 * Decoded certificates by SHA-256 fingerprint, refusals included: probes of one run see the same
 * chain and roots again (every address of a name serves the same chain).
 */
const parsed = new Map<string, Omit<GoCertificate, 'node'> | CertificateParseError>();
const MAX_CACHED = 256;

/** Decodes one certificate (cached, bounded). Throws CertificateParseError. */
export function goCertificate(node: X509Certificate): GoCertificate {
  const key = node.fingerprint256;
  let facts = parsed.get(key);
  if (!facts) {
    try {
      const { node: _node, ...decoded } = decode(node);
      facts = decoded;
    } catch (err) {
      if (!(err instanceof CertificateParseError)) throw err;
      facts = err;
    }
    if (parsed.size >= MAX_CACHED) {
      const oldest = parsed.keys().next().value;
      if (oldest !== undefined) parsed.delete(oldest);
    }
    parsed.set(key, facts);
  }
  if (facts instanceof CertificateParseError) throw facts;
  return { ...facts, node };
}

/** Go's basicConstraints reading: SEQUENCE { BOOLEAN cA OPTIONAL, INTEGER pathLen OPTIONAL }, the rest unread. */
function readBasicConstraints(value: Buffer, out: GoCertificate): void {
  const r = DerReader.of(readFirst(value, SEQUENCE, 'basicConstraints'));
  const ca = r.readOptional(universal(UNIVERSAL.boolean), 'cA');
  const pathLen = r.readOptional(INTEGER, 'pathLenConstraint');
  out.basicConstraintsValid = true;
  out.isCa = ca ? boolean(ca) : false;
  out.maxPathLen = pathLen ? smallInteger(pathLen) : -1;
}

/** Go's keyUsage reading: a BIT STRING, named bits 0 to 8. */
function readKeyUsage(value: Buffer): number {
  const bits = bitString(readFirst(value, universal(UNIVERSAL.bitString), 'keyUsage'));
  let usage = 0;
  for (let i = 0; i < KEY_USAGE_BITS; i++) if (bitAt(bits, i)) usage |= 1 << i;
  return usage;
}

function readExtKeyUsage(value: Buffer): string[] {
  const r = DerReader.of(readFirst(value, SEQUENCE, 'extKeyUsage'));
  const out: string[] = [];
  while (!r.empty()) out.push(oid(r.read(OID_TAG, 'key purpose'), { smallArcs: true }));
  return out;
}

/** Go's authorityKeyIdentifier reading: the [0] keyIdentifier, when it comes first. */
function readAuthorityKeyId(value: Buffer): string {
  const r = DerReader.of(readFirst(value, SEQUENCE, 'authorityKeyIdentifier'));
  return r.readOptional(context(0, false), 'keyIdentifier')?.content.toString('hex') ?? '';
}

/** Reads one extension into `out`; returns whether its content is one Go applies. Throws DerError. */
function applyExtension(id: string, value: Buffer, out: GoCertificate): boolean {
  switch (id) {
    case OID.basicConstraints:
      readBasicConstraints(value, out);
      return true;
    case OID.keyUsage:
      out.keyUsage = readKeyUsage(value);
      return true;
    case OID.extKeyUsage:
      out.extKeyUsage = readExtKeyUsage(value);
      return true;
    case OID.subjectKeyId:
      out.subjectKeyId = readFirst(
        value,
        universal(UNIVERSAL.octetString),
        'subjectKeyIdentifier',
      ).content.toString('hex');
      return true;
    case OID.authorityKeyId:
      out.authorityKeyId = readAuthorityKeyId(value);
      return true;
    case OID.subjectAltName:
      out.hasSan = true;
      parseSans(value, out);
      return true;
    case OID.nameConstraints:
      out.nameConstraints = parseNameConstraints(value);
      return !out.nameConstraints.otherTypes;
    case OID.crlDistributionPoints:
      checkCrlDistributionPoints(value);
      return true;
    case OID.authorityInfoAccess:
      checkAuthorityInfoAccess(value);
      return true;
    case OID.certificatePolicies:
      readCertificatePolicies(value, out.policy);
      return true;
    case OID.policyConstraints:
    case OID.inhibitAnyPolicy:
    case OID.policyMappings:
      readPolicyExtension(id, value, out.policy);
      return true;
    default:
      return true;
  }
}

function decode(node: X509Certificate): GoCertificate {
  let structure: ReturnType<typeof readCertificate>;
  try {
    structure = readCertificate(node.raw);
  } catch (err) {
    if (err instanceof StructureError) throw new CertificateParseError(err.message);
    throw err;
  }
  const out: GoCertificate = {
    node,
    rawIssuer: structure.rawIssuer,
    rawSubject: structure.rawSubject,
    version: structure.version,
    serialNegative: structure.serialNegative,
    signatureAlgorithm: structure.signatureAlgorithm,
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
  checkPublicKey(node);
  if (out.signatureAlgorithm === RSA_PSS) out.pssUnsupported = pssProblem(structure.signatureParams);
  for (const ext of structure.extensions) {
    let contentHandled: boolean;
    try {
      contentHandled = applyExtension(ext.oid, ext.value, out);
    } catch (err) {
      if (!(err instanceof DerError)) throw err;
      throw new CertificateParseError(`unreadable extension ${ext.oid} (${err.message})`);
    }
    if (ext.critical) out.critical.push({ oid: ext.oid, contentHandled });
  }
  return out;
}
