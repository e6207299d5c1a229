import type { X509Certificate } from 'node:crypto';
import { oneLine } from '../ca/bundle.ts';
import { subjectAltNames } from './hostname.ts';

/** What a finding records about a presented certificate: enough to recognise it, nothing secret. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** `DNS:<name>` and `IP:<address>` entries. */
  sans: string[];
  serialNumber: string;
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
}

function iso(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const sans = subjectAltNames(cert);
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    sans: [...sans.dns.map((d) => `DNS:${d}`), ...sans.ips.map((ip) => `IP:${ip}`)],
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    notBefore: iso(cert.validFrom),
    notAfter: iso(cert.validTo),
  };
}
