import {
  bitString,
  boolean,
  CLASS,
  context,
  type DerElement,
  DerError,
  DerReader,
  hasTag,
  integerIsNegative,
  oid,
  SEQUENCE,
  SET,
  smallInteger,
  UNIVERSAL,
  universal,
} from './der.ts';

/**
 * The Certificate and TBSCertificate structure as Go's parseCertificate (crypto/x509/parser.go)
 * reads it, element by element, refusing what it refuses: version [0] EXPLICIT (absent = v1, at most
 * v3), a minimal serial INTEGER, the inner signature AlgorithmIdentifier byte-identical to the outer
 * one, issuer and subject as RDN sequences of string attributes, validity times in the forms Go
 * accepts, the SubjectPublicKeyInfo, the unique identifiers [1]/[2] (v2 and v3), the extensions [3]
 * (v3 only; each OID once), and the signature BIT STRING. What Go never reads (bytes after the
 * last field it takes) is not judged either.
 */

export interface RawExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface CertificateStructure {
  /** 1, 2 or 3. */
  version: number;
  serialNegative: boolean;
  signatureAlgorithm: string;
  /** The signature AlgorithmIdentifier's parameters element, when present. */
  signatureParams: DerElement | undefined;
  rawIssuer: Buffer;
  rawSubject: Buffer;
  /** Read from version 3 certificates only, as Go does. */
  extensions: RawExtension[];
}

/** A parse failure in Go's words, with the reader's detail: the caller wraps it as CertificateParseError. */
export class StructureError extends Error {
  override readonly name = 'StructureError';
}

/** Runs one read; a DerError becomes Go's message for that field, with the reader's detail. */
function field<T>(goMessage: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof DerError) throw new StructureError(`${goMessage} (${err.message})`);
    throw err;
  }
}

/** Go's parseAI: an OID, then at most one parameters element (anything after it is not read). */
function algorithm(seq: DerElement): { oid: string; params: DerElement | undefined } {
  const r = DerReader.of(seq);
  const id = field('malformed OID', () => oid(r.read(universal(UNIVERSAL.oid), 'OID'), { smallArcs: true }));
  const params = r.empty() ? undefined : field('malformed parameters', () => r.readAny('parameters'));
  return { oid: id, params };
}

/** Go's isPrintable, with the '*' and '&' it tolerates. */
const printable = (b: number): boolean =>
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x30 && b <= 0x39) ||
  (b >= 0x27 && b <= 0x29) ||
  (b >= 0x2b && b <= 0x2f) ||
  [0x20, 0x3a, 0x3d, 0x3f, 0x2a, 0x26].includes(b);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Go's parseASN1String: the string types a name attribute may have, each checked. */
function stringProblem(el: DerElement): string | undefined {
  const c = el.content;
  if (el.tagClass !== CLASS.universal || el.constructed) return 'unsupported string type';
  switch (el.number) {
    case UNIVERSAL.t61String:
      return undefined;
    case UNIVERSAL.printableString:
      return c.every(printable) ? undefined : 'invalid PrintableString';
    case UNIVERSAL.utf8String:
      try {
        utf8.decode(c);
        return undefined;
      } catch {
        return 'invalid UTF-8 string';
      }
    case UNIVERSAL.bmpString:
      return c.length % 2 === 0 ? undefined : 'invalid BMPString';
    case UNIVERSAL.ia5String:
      return c.every((b) => b < 0x80) ? undefined : 'invalid IA5String';
    case UNIVERSAL.numericString:
      return c.every((b) => (b >= 0x30 && b <= 0x39) || b === 0x20) ? undefined : 'invalid NumericString';
    default:
      return 'unsupported string type';
  }
}

/** Go's parseName: SEQUENCE OF SET OF SEQUENCE { OID, string }. */
function checkName(name: DerElement): void {
  const rdns = DerReader.of(name);
  while (!rdns.empty()) {
    const set = field('invalid RDNSequence', () => rdns.read(SET, 'RDN'));
    const attrs = DerReader.of(set);
    while (!attrs.empty()) {
      const atav = field('invalid RDNSequence: invalid attribute', () => attrs.read(SEQUENCE, 'attribute'));
      const r = DerReader.of(atav);
      field('invalid RDNSequence: invalid attribute type', () =>
        oid(r.read(universal(UNIVERSAL.oid), 'attribute type'), { smallArcs: true }),
      );
      const value = field('invalid RDNSequence: invalid attribute value', () => r.readAny('attribute value'));
      const problem = stringProblem(value);
      if (problem) throw new StructureError(`invalid RDNSequence: invalid attribute value: ${problem}`);
    }
  }
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * cryptobyte's time reading: UTCTime YYMMDDhhmm[ss] and GeneralizedTime YYYYMMDDhhmmss, each with
 * `Z` or a ±hhmm offset, in the one form Go's time formatting writes back (so `+0000` is refused:
 * Go writes `Z`), and a real date and time.
 */
function timeOk(el: DerElement): boolean {
  const text = el.content.toString('latin1');
  const utc = el.number === UNIVERSAL.utcTime;
  const match = (utc ? /^(\d{2})(\d{8})(\d{2})?(Z|[+-]\d{4})$/ : /^(\d{4})(\d{8})(\d{2})(Z|[+-]\d{4})$/).exec(
    text,
  );
  if (!match) return false;
  const [, yearText = '', rest = '', seconds = '00', zone = 'Z'] = match;
  const n = (s: string, at: number): number => Number(s.slice(at, at + 2));
  const year = Number(yearText) + (utc ? (Number(yearText) >= 50 ? 1900 : 2000) : 0);
  const [month, day, hour, minute] = [n(rest, 0), n(rest, 2), n(rest, 4), n(rest, 6)];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && !leap ? 28 : (DAYS[month - 1] ?? 0);
  const zoneOk = zone === 'Z' || (zone !== '+0000' && zone !== '-0000' && n(zone, 1) < 24 && n(zone, 3) < 60);
  return day >= 1 && day <= monthDays && hour < 24 && minute < 60 && Number(seconds) < 60 && zoneOk;
}

function checkValidity(validity: DerElement): void {
  const r = DerReader.of(validity);
  for (let i = 0; i < 2; i++) {
    const tag = r.peekTag();
    const utc = hasTag(tag, universal(UNIVERSAL.utcTime));
    if (!utc && !hasTag(tag, universal(UNIVERSAL.generalizedTime))) {
      throw new StructureError('unsupported time format');
    }
    const what = utc ? 'UTCTime' : 'GeneralizedTime';
    const time = field(`malformed ${what}`, () => r.readAny(what));
    if (!timeOk(time)) throw new StructureError(`malformed ${utc ? 'UTCTime' : 'GeneralizedTime'}`);
  }
}

function readExtensions(tbs: DerReader): RawExtension[] {
  const wrapper = field('malformed extensions', () => tbs.readOptional(context(3, true), 'extensions'));
  if (!wrapper) return [];
  const list = field('malformed extensions', () => DerReader.of(wrapper).read(SEQUENCE, 'extensions'));
  const r = DerReader.of(list);
  const out: RawExtension[] = [];
  const seen = new Set<string>();
  while (!r.empty()) {
    const ext = DerReader.of(field('malformed extension', () => r.read(SEQUENCE, 'extension')));
    const id = field('malformed extension OID field', () =>
      oid(ext.read(universal(UNIVERSAL.oid), 'extension OID'), { smallArcs: true }),
    );
    const flag = field('malformed extension critical field', () =>
      ext.readOptional(universal(UNIVERSAL.boolean), 'critical'),
    );
    const critical = flag ? field('malformed extension critical field', () => boolean(flag)) : false;
    const value = field('malformed extension value field', () =>
      ext.read(universal(UNIVERSAL.octetString), 'extension value'),
    );
    if (seen.has(id)) throw new StructureError(`certificate contains duplicate extensions (${id})`);
    seen.add(id);
    out.push({ oid: id, critical, value: value.content });
  }
  return out;
}

/** Reads a certificate's DER as Go's parseCertificate does. Throws StructureError. */
export function readCertificate(der: Buffer): CertificateStructure {
  const outer = new DerReader(der);
  const cert = DerReader.of(field('malformed certificate', () => outer.read(SEQUENCE, 'certificate')));
  const tbs = DerReader.of(field('malformed tbs certificate', () => cert.read(SEQUENCE, 'tbs certificate')));

  const versionEl = field('malformed version', () => tbs.readOptional(context(0, true), 'version'));
  let version = 1;
  if (versionEl) {
    const inner = DerReader.of(versionEl);
    const written = field('malformed version', () => {
      const value = smallInteger(inner.read(universal(UNIVERSAL.integer), 'version'));
      inner.end('version');
      return value;
    });
    if (written < 0) throw new StructureError('malformed version');
    if (written > 2) throw new StructureError(`invalid version ${written + 1}`);
    version = written + 1;
  }

  const serialNegative = field('malformed serial number', () =>
    integerIsNegative(tbs.read(universal(UNIVERSAL.integer), 'serial number')),
  );
  const innerAlg = field('malformed signature algorithm identifier', () =>
    tbs.read(SEQUENCE, 'signature algorithm'),
  );
  const outerAlg = field('malformed algorithm identifier', () => cert.read(SEQUENCE, 'signature algorithm'));
  if (!innerAlg.content.equals(outerAlg.content)) {
    throw new StructureError("inner and outer signature algorithm identifiers don't match");
  }
  const sigAlg = algorithm(innerAlg);

  const issuer = field('malformed issuer', () => tbs.read(SEQUENCE, 'issuer'));
  checkName(issuer);
  checkValidity(field('malformed validity', () => tbs.read(SEQUENCE, 'validity')));
  const subject = field('malformed subject', () => tbs.read(SEQUENCE, 'subject'));
  checkName(subject);

  const spki = DerReader.of(field('malformed spki', () => tbs.read(SEQUENCE, 'spki')));
  algorithm(field('malformed public key algorithm identifier', () => spki.read(SEQUENCE, 'key algorithm')));
  field('malformed subjectPublicKey', () =>
    bitString(spki.read(universal(UNIVERSAL.bitString), 'subjectPublicKey')),
  );

  let extensions: RawExtension[] = [];
  if (version > 1) {
    field('malformed issuerUniqueID', () => tbs.readOptional(context(1, false), 'issuerUniqueID'));
    field('malformed subjectUniqueID', () => tbs.readOptional(context(2, false), 'subjectUniqueID'));
    if (version === 3) extensions = readExtensions(tbs);
  }
  field('malformed signature', () => bitString(cert.read(universal(UNIVERSAL.bitString), 'signature')));

  return {
    version,
    serialNegative,
    signatureAlgorithm: sigAlg.oid,
    signatureParams: sigAlg.params,
    rawIssuer: Buffer.from(issuer.raw),
    rawSubject: Buffer.from(subject.raw),
    extensions,
  };
}
