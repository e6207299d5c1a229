import { CLASS, context, type DerElement, DerReader, readFirst, SEQUENCE } from './der.ts';
import { isIpText, parseMailbox, reverseLabels, uriHost } from './name-constraints.ts';
import { CertificateParseError } from './x509-errors.ts';

/**
 * The subjectAltName and nameConstraints extensions as Go's parser reads them (parseSANExtension,
 * parseNameConstraintsExtension): the GeneralName types it applies (rfc822Name [1], dNSName [2],
 * uniformResourceIdentifier [6], iPAddress [7], each primitive), checked on their bytes (ASCII
 * strings, 4- or 16-byte IPs, contiguous masks); other entries are skipped (SAN) or noted as
 * types Go does not apply (name constraints).
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

export interface SanNames {
  dnsNames: string[];
  /** 4- or 16-byte addresses, as encoded. */
  ipAddresses: Buffer[];
  emailAddresses: string[];
  uris: string[];
}

/** Names read per list: enough for any real certificate, and a bound on the checks made. */
export const MAX_NAMES = 1000;

const GN = { email: 1, dns: 2, uri: 6, ip: 7 } as const;

/** The GeneralName number of an entry Go applies (context-specific, primitive); undefined for others. */
const generalNameTag = (el: DerElement): number | undefined =>
  el.tagClass === CLASS.context && !el.constructed ? el.number : undefined;

/** Go's isIA5String: every byte ASCII. */
const ia5 = (data: Buffer): boolean => data.every((b) => b < 0x80);

/** Go's parseSANExtension: the DNS names, emails, URIs and IPs, refusing what Go's parser refuses. */
export function parseSans(value: Buffer, out: SanNames): void {
  const list = DerReader.of(readFirst(value, SEQUENCE, 'subjectAltName'));
  for (let i = 0; !list.empty() && i < MAX_NAMES; i++) {
    const el = list.readAny('subjectAltName entry');
    const data = el.content;
    const text = data.toString('latin1');
    switch (generalNameTag(el)) {
      case GN.email:
        if (!ia5(data)) throw new CertificateParseError('SAN rfc822Name (email) is not an ASCII string');
        out.emailAddresses.push(text);
        break;
      case GN.dns:
        if (!ia5(data)) throw new CertificateParseError('SAN dNSName is not an ASCII string');
        out.dnsNames.push(text);
        break;
      case GN.uri: {
        if (!ia5(data)) throw new CertificateParseError('SAN URI is not an ASCII string');
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
        if (data.length !== 4 && data.length !== 16) {
          throw new CertificateParseError(`SAN IP address has ${data.length} bytes (Go takes 4 or 16)`);
        }
        out.ipAddresses.push(Buffer.from(data));
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

type Which = 'permitted' | 'excluded';

function readSubtrees(list: DerElement, which: Which, out: GoNameConstraints): void {
  const subtrees = DerReader.of(list);
  for (let i = 0; !subtrees.empty() && i < MAX_NAMES; i++) {
    const subtree = DerReader.of(subtrees.read(SEQUENCE, 'name constraint subtree'));
    const gn = subtree.readAny('name constraint');
    const data = gn.content;
    const text = data.toString('latin1');
    const bad = (what: string): CertificateParseError =>
      new CertificateParseError(`${which} ${what} name constraint "${text.slice(0, 40)}" is invalid`);
    const tag = generalNameTag(gn);
    if (tag === GN.ip) {
      if (data.length !== 8 && data.length !== 32) {
        throw new CertificateParseError(
          `${which} IP name constraint has ${data.length} bytes (Go takes 8 or 32)`,
        );
      }
      const half = data.length / 2;
      const range = { ip: Buffer.from(data.subarray(0, half)), mask: Buffer.from(data.subarray(half)) };
      if (!validMask(range.mask)) {
        throw new CertificateParseError(
          `${which} IP name constraint has a non-contiguous mask ${range.mask.toString('hex')}`,
        );
      }
      (which === 'permitted' ? out.permittedIps : out.excludedIps).push(range);
    } else if (tag === GN.dns || tag === GN.email || tag === GN.uri) {
      if (!ia5(data)) throw bad('non-ASCII');
      if (tag === GN.dns) {
        if (!domainConstraintOk(text)) throw bad('DNS');
        (which === 'permitted' ? out.permittedDns : out.excludedDns).push(text);
      } else if (tag === GN.email) {
        if (text.includes('@') ? !parseMailbox(text) : !domainConstraintOk(text)) throw bad('email');
        (which === 'permitted' ? out.permittedEmails : out.excludedEmails).push(text);
      } else {
        if (isIpText(text) || !domainConstraintOk(text)) throw bad('URI');
        (which === 'permitted' ? out.permittedUris : out.excludedUris).push(text);
      }
    } else {
      out.otherTypes = true;
    }
  }
}

/**
 * Go's parseNameConstraintsExtension: SEQUENCE { [0] permitted OPTIONAL, [1] excluded OPTIONAL },
 * in that order, nothing after either, at least one of them non-empty; the four subtree types it
 * applies, and `otherTypes` for the rest.
 */
export function parseNameConstraints(value: Buffer): GoNameConstraints {
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
  const outer = new DerReader(value);
  const top = DerReader.of(outer.read(SEQUENCE, 'nameConstraints'));
  const permitted = top.readOptional(context(0, true), 'permittedSubtrees');
  const excluded = top.readOptional(context(1, true), 'excludedSubtrees');
  if (!outer.empty() || !top.empty()) throw new CertificateParseError('invalid nameConstraints extension');
  if ((permitted?.content.length ?? 0) === 0 && (excluded?.content.length ?? 0) === 0) {
    throw new CertificateParseError('empty nameConstraints extension');
  }
  if (permitted) readSubtrees(permitted, 'permitted', out);
  if (excluded) readSubtrees(excluded, 'excluded', out);
  return out;
}
