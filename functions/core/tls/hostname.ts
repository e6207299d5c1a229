import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { ipText } from './name-constraints.ts';

/**
 * Hostname matching as Go's crypto/x509 `VerifyHostname` does it (what kubelet uses): only the
 * DNS and IP subject alternative names count, never the Common Name; an IP only matches an IP
 * SAN; a wildcard is a whole left-most `*` label and covers exactly one label.
 */

export interface SubjectAltNames {
  dns: string[];
  ips: string[];
}

/** Reads one value of Node's `subjectAltName` text: plain up to `, `, or a JSON-quoted string. */
function readValue(text: string, start: number): { value: string; end: number } {
  if (text[start] === '"') {
    let i = start + 1;
    for (; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\') i++;
    }
    try {
      return { value: String(JSON.parse(text.slice(start, i + 1))), end: i + 1 };
    } catch {
      return { value: text.slice(start + 1, i), end: i + 1 };
    }
  }
  const stop = text.indexOf(', ', start);
  const end = stop === -1 ? text.length : stop;
  return { value: text.slice(start, end), end };
}

/** Parses Node's `X509Certificate.subjectAltName` (`DNS:a, IP Address:10.0.0.1, …`). */
export function parseSubjectAltName(text: string | undefined): SubjectAltNames {
  const out: SubjectAltNames = { dns: [], ips: [] };
  if (!text) return out;
  let pos = 0;
  for (let guard = 0; pos < text.length && guard < 10_000; guard++) {
    const colon = text.indexOf(':', pos);
    if (colon === -1) break;
    const type = text.slice(pos, colon);
    const { value, end } = readValue(text, colon + 1);
    if (type === 'DNS') out.dns.push(value);
    else if (type === 'IP Address') out.ips.push(value);
    pos = text.startsWith(', ', end) ? end + 2 : end + 1;
  }
  return out;
}

export function subjectAltNames(cert: X509Certificate): SubjectAltNames {
  return parseSubjectAltName(cert.subjectAltName);
}

/**
 * The SANs as Go's parser read them (x509-go.ts), for hostname matching: these, not OpenSSL's
 * reading, are the names kubelet checks (they differ when a SAN holds entries OpenSSL refuses and
 * Go skips).
 */
export function goSubjectAltNames(cert: { dnsNames: string[]; ipAddresses: Buffer[] }): SubjectAltNames {
  return { dns: [...cert.dnsNames], ips: cert.ipAddresses.map(ipText) };
}

/** An IP in one canonical form; IPv4 as IPv4-mapped IPv6, so that Go's `ip.Equal` semantics hold. */
export function canonicalIp(text: string): string | undefined {
  const bare = text.length >= 3 && text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const version = isIP(bare);
  if (version === 0) return undefined;
  const v6 = version === 4 ? `::ffff:${bare}` : bare;
  return new URL(`http://[${v6}]/`).hostname;
}

const lower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Go's validHostname: letters, digits, `-` (not first), `_`; a pattern may start with a `*` label. */
function validHostname(host: string, isPattern: boolean): boolean {
  const name = isPattern ? host : host.replace(/\.$/, '');
  if (name.length === 0 || name === '*') return false;
  return name.split('.').every((part, i) => {
    if (part === '') return false;
    if (isPattern && i === 0 && part === '*') return true;
    return /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(part);
  });
}

function matchHostnames(pattern: string, host: string): boolean {
  const p = lower(pattern);
  const h = lower(host.replace(/\.$/, ''));
  if (p.length === 0 || h.length === 0) return false;
  const pParts = p.split('.');
  const hParts = h.split('.');
  if (pParts.length !== hParts.length) return false;
  return pParts.every((part, i) => (i === 0 && part === '*') || part === hParts[i]);
}

function matchExactly(pattern: string, host: string): boolean {
  if (host === '' || host === '.' || pattern === '' || pattern === '.') return false;
  return lower(host) === lower(pattern);
}

/** True when the certificate's SANs cover `hostname` by Go's rules. */
export function hostnameMatches(sans: SubjectAltNames, hostname: string): boolean {
  const ip = canonicalIp(hostname);
  if (ip !== undefined) return sans.ips.some((candidate) => canonicalIp(candidate) === ip);
  const host = lower(hostname);
  const validHost = validHostname(host, false);
  return sans.dns.some((pattern) =>
    validHost && validHostname(pattern, true) ? matchHostnames(pattern, host) : matchExactly(pattern, host),
  );
}
