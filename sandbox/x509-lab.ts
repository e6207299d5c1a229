import {
  constants,
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  X509Certificate as NodeX509,
  sign,
} from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  KeyIdentifier,
  KeyUsage,
  Name,
  NameConstraints,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
} from '@peculiar/asn1-x509';

/**
 * A certificate workshop for the Go differential test: every field Go's verifier consults can be
 * set, including the ones no well-behaved CA produces (negative serials, SHA-1 signatures, issuer
 * names encoded differently from the CA subject, unknown critical extensions, mismatched key
 * identifiers). Certificates are encoded with the @peculiar ASN.1 schemas and signed with
 * node:crypto (ECDSA P-256).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CN = '2.5.4.3';
const ECDSA = { sha256: '1.2.840.10045.4.3.2', sha1: '1.2.840.10045.4.1' } as const;
const RSA = { sha256: '1.2.840.113549.1.1.11', sha1: '1.2.840.113549.1.1.5' } as const;
const RSA_PSS = '1.2.840.113549.1.1.10';

export const KU = {
  digitalSignature: 1,
  keyEncipherment: 4,
  keyCertSign: 32,
  cRLSign: 64,
} as const;

export interface NameSpec {
  cn: string;
  /** How the CN is encoded; default utf8. */
  encoding?: 'utf8' | 'printable';
}

export interface LabSpec {
  subject: NameSpec;
  /** The signer; absent for a self-signed certificate. */
  issuer?: LabCert;
  /** The issuer name written into the certificate; default: the signer's subject, byte for byte. */
  issuerName?: NameSpec;
  /** Raw INTEGER content bytes; default a random positive 16-byte serial. */
  serial?: Buffer;
  notBefore?: Date;
  notAfter?: Date;
  /** basicConstraints: absent when undefined. */
  ca?: boolean;
  pathLen?: number;
  /** KeyUsage flags (KU); absent when undefined. */
  keyUsage?: number;
  eku?: string[];
  dns?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
  /** SAN entries written as given: context tag (1 email, 2 DNS, 6 URI, 7 IP) and content bytes. */
  rawSans?: { tag: number; data: Buffer }[];
  nameConstraints?: {
    permittedDns?: string[];
    excludedDns?: string[];
    permittedIps?: string[];
    excludedIps?: string[];
    permittedEmails?: string[];
    excludedEmails?: string[];
    permittedUris?: string[];
    excludedUris?: string[];
    /** Adds a permitted directoryName subtree (a type Go does not apply). */
    directoryName?: boolean;
    critical?: boolean;
  };
  extra?: { oid: string; critical: boolean; value?: Buffer }[];
  hash?: 'sha256' | 'sha1';
  /** Authority key identifier: the signer's (default), none, or these bytes. */
  aki?: 'issuer' | 'none' | Buffer;
  /** X.509 version 1 (no extensions at all). */
  v1?: boolean;
  /** X.509 version 2 with the extensions written anyway (Go reads extensions of version 3 only). */
  v2?: boolean;
  /** An RSA key of this many bits instead of ECDSA P-256. */
  rsaBits?: number;
  /** An ECDSA key on this curve instead of P-256 (e.g. secp256k1, which Go does not support). */
  curve?: string;
  /** Signed by an RSA issuer with RSA-PSS, SHA-256 and MGF1-SHA-256, with this salt length. */
  pssSaltLength?: number;
}

export interface LabCert {
  spec: LabSpec;
  der: Buffer;
  certPem: string;
  keyPem: string;
  x509: NodeX509;
  privateKey: KeyObject;
  ski: Buffer;
  subjectName: Name;
}

function nameOf(spec: NameSpec): Name {
  const value =
    spec.encoding === 'printable'
      ? new AttributeValue({ printableString: spec.cn })
      : new AttributeValue({ utf8String: spec.cn });
  return new Name([new RelativeDistinguishedName([new AttributeTypeAndValue({ type: CN, value })])]);
}

const ext = (extnID: string, critical: boolean, value: ArrayBuffer | Buffer): Extension =>
  new Extension({ extnID, critical, extnValue: new OctetString(value) });

/** A DER element with a short or long length. */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const SHA256_ALG = tlv(
  0x30,
  Buffer.concat([Buffer.from('0609608648016503040201', 'hex'), Buffer.from([0x05, 0x00])]),
);
const MGF1_OID = Buffer.from('06092a864886f70d010108', 'hex');

/** RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, the given salt length, default trailer. */
function pssParams(salt: number): ArrayBuffer {
  const der = tlv(
    0x30,
    Buffer.concat([
      tlv(0xa0, SHA256_ALG),
      tlv(0xa1, tlv(0x30, Buffer.concat([MGF1_OID, SHA256_ALG]))),
      tlv(0xa2, tlv(0x02, Buffer.from([salt]))),
    ]),
  );
  return new Uint8Array(der).buffer;
}

function subtrees(
  dns: string[] = [],
  ips: string[] = [],
  directory = false,
  emails: string[] = [],
  uris: string[] = [],
): GeneralSubtrees | undefined {
  const items = [
    ...dns.map((d) => new GeneralSubtree({ base: new GeneralName({ dNSName: d }) })),
    ...ips.map((ip) => new GeneralSubtree({ base: new GeneralName({ iPAddress: ip }) })),
    ...emails.map((e) => new GeneralSubtree({ base: new GeneralName({ rfc822Name: e }) })),
    ...uris.map((u) => new GeneralSubtree({ base: new GeneralName({ uniformResourceIdentifier: u }) })),
    ...(directory
      ? [new GeneralSubtree({ base: new GeneralName({ directoryName: nameOf({ cn: 'corp' }) }) })]
      : []),
  ];
  return items.length > 0 ? new GeneralSubtrees(items) : undefined;
}

function randomSerial(): Buffer {
  const serial = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256)));
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x10;
  return serial;
}

export function makeCert(spec: LabSpec): LabCert {
  const { publicKey, privateKey } = spec.rsaBits
    ? generateKeyPairSync('rsa', { modulusLength: spec.rsaBits })
    : generateKeyPairSync('ec', { namedCurve: spec.curve ?? 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const ski = createHash('sha1').update(spki).digest();
  const signer = spec.issuer;
  const signerKey = signer ? signer.privateKey : privateKey;
  const signerSki = signer ? signer.ski : ski;
  const extensions: Extension[] = [];
  if (spec.ca !== undefined) {
    const bc = new BasicConstraints({ cA: spec.ca });
    if (spec.pathLen !== undefined) bc.pathLenConstraint = spec.pathLen;
    extensions.push(ext('2.5.29.19', true, AsnConvert.serialize(bc)));
  }
  if (spec.keyUsage !== undefined) {
    extensions.push(ext('2.5.29.15', true, AsnConvert.serialize(new KeyUsage(spec.keyUsage))));
  }
  extensions.push(ext('2.5.29.14', false, AsnConvert.serialize(new SubjectKeyIdentifier(ski))));
  const aki = spec.aki ?? 'issuer';
  if (aki !== 'none') {
    const keyIdentifier = new KeyIdentifier(aki === 'issuer' ? signerSki : aki);
    extensions.push(
      ext('2.5.29.35', false, AsnConvert.serialize(new AuthorityKeyIdentifier({ keyIdentifier }))),
    );
  }
  const sans = [
    ...(spec.dns ?? []).map((d) => new GeneralName({ dNSName: d })),
    ...(spec.ips ?? []).map((ip) => new GeneralName({ iPAddress: ip })),
    ...(spec.emails ?? []).map((e) => new GeneralName({ rfc822Name: e })),
    ...(spec.uris ?? []).map((u) => new GeneralName({ uniformResourceIdentifier: u })),
  ];
  if (spec.rawSans) {
    const encoded = sans.map((gn) => Buffer.from(AsnConvert.serialize(gn)));
    const raw = spec.rawSans.map((r) => tlv(0x80 | r.tag, r.data));
    extensions.push(ext('2.5.29.17', false, tlv(0x30, Buffer.concat([...encoded, ...raw]))));
  } else if (sans.length > 0) {
    extensions.push(ext('2.5.29.17', false, AsnConvert.serialize(new SubjectAlternativeName(sans))));
  }
  if (spec.eku && spec.eku.length > 0) {
    extensions.push(ext('2.5.29.37', false, AsnConvert.serialize(new ExtendedKeyUsage(spec.eku))));
  }
  const nc = spec.nameConstraints;
  if (nc) {
    const value = new NameConstraints({});
    const permitted = subtrees(
      nc.permittedDns,
      nc.permittedIps,
      nc.directoryName,
      nc.permittedEmails,
      nc.permittedUris,
    );
    const excluded = subtrees(nc.excludedDns, nc.excludedIps, false, nc.excludedEmails, nc.excludedUris);
    if (permitted) value.permittedSubtrees = permitted;
    if (excluded) value.excludedSubtrees = excluded;
    extensions.push(ext('2.5.29.30', nc.critical ?? true, AsnConvert.serialize(value)));
  }
  for (const e of spec.extra ?? [])
    extensions.push(ext(e.oid, e.critical, e.value ?? Buffer.from([0x05, 0x00])));

  const now = Date.now();
  const subjectName = nameOf(spec.subject);
  const issuerName = spec.issuerName ? nameOf(spec.issuerName) : signer ? signer.subjectName : subjectName;
  const hash = spec.hash ?? 'sha256';
  const pss = spec.pssSaltLength;
  const algorithm =
    pss !== undefined
      ? new AlgorithmIdentifier({ algorithm: RSA_PSS, parameters: pssParams(pss) })
      : signerKey.asymmetricKeyType === 'rsa'
        ? new AlgorithmIdentifier({ algorithm: RSA[hash], parameters: null })
        : new AlgorithmIdentifier({ algorithm: ECDSA[hash] });
  const tbs = new TBSCertificate({
    version: spec.v1 ? 0 : spec.v2 ? 1 : 2,
    serialNumber: new Uint8Array(spec.serial ?? randomSerial()).buffer,
    signature: algorithm,
    issuer: issuerName,
    validity: new Validity({
      notBefore: spec.notBefore ?? new Date(now - HOUR),
      notAfter: spec.notAfter ?? new Date(now + 365 * DAY),
    }),
    subject: subjectName,
    subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
  });
  if (!spec.v1) tbs.extensions = new Extensions(extensions);
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signatureValue =
    pss !== undefined
      ? sign('sha256', tbsDer, { key: signerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss })
      : sign(hash, tbsDer, signerKey);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: new Uint8Array(signatureValue).buffer,
  });
  const der = Buffer.from(AsnConvert.serialize(cert));
  const x509 = new NodeX509(der);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    spec,
    der,
    certPem: x509.toString(),
    keyPem,
    x509,
    privateKey: createPrivateKey(keyPem),
    ski,
    subjectName,
  };
}

/** A CA with the usual profile (CA:TRUE, keyCertSign|cRLSign), self-signed or under `issuer`. */
export function makeCa(cn: string, more: Partial<LabSpec> = {}): LabCert {
  return makeCert({ subject: { cn }, ca: true, keyUsage: KU.keyCertSign | KU.cRLSign, ...more });
}

export const days = (n: number): number => n * DAY;
