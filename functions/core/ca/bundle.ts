import { X509Certificate } from 'node:crypto';

/**
 * The certificates a verdict trusts: the cluster CA (every key of the kops keyset that is not
 * distrusted). Public material only; nothing here is secret.
 */
export interface CaBundle {
  /** Where the bundle came from, e.g. `ssm:/kops/ca`, `s3://bucket/key`, `inline`. */
  readonly source: string;
  readonly certificates: readonly X509Certificate[];
  /** SHA-256 fingerprints (colon-separated hex, as Node prints them), in the order of `certificates`. */
  readonly fingerprints: readonly string[];
  /** Subjects (`CN=kubernetes-ca`), in the order of `certificates`. */
  readonly subjects: readonly string[];
}

/** Any failure to obtain or read the cluster CA. The message names the source; it never quotes key material. */
export class CaSourceError extends Error {
  override readonly name = 'CaSourceError';
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(message);
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END ([A-Z0-9 #]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** A bundle larger than this is not a CA bundle; refuse it rather than parse it. */
export const MAX_BUNDLE_CHARS = 1_000_000;

/** One line for a distinguished name: Node prints one RDN per line. */
export function oneLine(name: string): string {
  return name.split('\n').join(', ');
}

/** Builds a bundle from parsed certificates, dropping duplicates (same SHA-256 fingerprint). */
export function bundleOf(source: string, certificates: readonly X509Certificate[]): CaBundle {
  const seen = new Set<string>();
  const unique = certificates.filter((c) => {
    if (seen.has(c.fingerprint256)) return false;
    seen.add(c.fingerprint256);
    return true;
  });
  return {
    source,
    certificates: unique,
    fingerprints: unique.map((c) => c.fingerprint256),
    subjects: unique.map((c) => oneLine(c.subject)),
  };
}

/** The bundle as PEM text, one certificate after another. */
export function bundleToPem(bundle: CaBundle): string {
  return `${bundle.certificates.map((c) => c.toString().trim()).join('\n')}\n`;
}

function parseBlock(label: string, body: string, index: number, source: string): X509Certificate {
  const where = `${source}: PEM block ${index + 1}`;
  if (label !== 'CERTIFICATE') {
    if (label.includes('PRIVATE KEY')) {
      throw new CaSourceError(
        source,
        `${where} is a ${label}; a CA bundle holds certificates only, never key material`,
      );
    }
    throw new CaSourceError(source, `${where} is a ${label}, not a CERTIFICATE`);
  }
  const b64 = body.replace(/\s+/g, '');
  if (b64.length === 0 || !BASE64.test(b64)) {
    throw new CaSourceError(source, `${where} is not valid base64`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(b64, 'base64'));
  } catch {
    throw new CaSourceError(source, `${where} is not a parseable X.509 certificate`);
  }
  if (!cert.ca) {
    throw new CaSourceError(
      source,
      `${where} (${oneLine(cert.subject)}) is not a CA certificate (basicConstraints CA:TRUE missing); ` +
        'the bundle must hold the cluster CA, not a serving certificate',
    );
  }
  return cert;
}

/**
 * Parses a PEM bundle of CA certificates. Text outside the PEM blocks (comments) is ignored.
 * Throws a CaSourceError naming `source` when there is no certificate, when a block is not a
 * certificate or not parseable, or when a certificate is not a CA.
 */
export function parsePemBundle(pem: string, source: string): CaBundle {
  if (pem.length > MAX_BUNDLE_CHARS) {
    throw new CaSourceError(source, `${source}: ${pem.length} characters is too large for a CA bundle`);
  }
  const begins = pem.split('-----BEGIN ').length - 1;
  const certs: X509Certificate[] = [];
  let index = 0;
  for (const match of pem.matchAll(PEM_BLOCK)) {
    const [, label = '', body = '', endLabel = ''] = match;
    if (label !== endLabel) {
      throw new CaSourceError(
        source,
        `${source}: PEM block ${index + 1} begins as ${label} but ends as ${endLabel}`,
      );
    }
    certs.push(parseBlock(label, body, index, source));
    index++;
  }
  if (begins !== index) {
    throw new CaSourceError(source, `${source}: PEM block ${index + 1} has no matching END line`);
  }
  if (certs.length === 0) {
    throw new CaSourceError(
      source,
      `${source}: no PEM certificate found (expected -----BEGIN CERTIFICATE-----)`,
    );
  }
  return bundleOf(source, certs);
}
