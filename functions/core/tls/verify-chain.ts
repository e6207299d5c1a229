import type { X509Certificate } from 'node:crypto';
import { type CaBundle, oneLine } from '../ca/bundle.ts';
import { hostnameMatches, subjectAltNames } from './hostname.ts';

/**
 * Judges a presented certificate chain the way Go's crypto/x509 does for kubelet:
 * - a path from the leaf through presented intermediates (which must be CAs) to a trusted
 *   certificate, each link an issuer-name match plus a valid signature (KeyUsage is ignored, as Go does);
 * - every certificate on the path within its validity period at `now`;
 * - extended key usage: a certificate that lists EKUs must list serverAuth or anyExtendedKeyUsage;
 * - the hostname against DNS/IP SANs only (no Common Name fallback), wildcards covering one label.
 * Go reports the leaf's own expiry and hostname before the chain; this reports the most
 * telling cause first: untrusted > expired / not yet valid > not server auth > hostname > expiring.
 */

export type ChainCode =
  | 'TLS_OK'
  | 'TLS_UNTRUSTED_ISSUER'
  | 'TLS_CERT_EXPIRED'
  | 'TLS_CERT_NOT_YET_VALID'
  | 'TLS_NOT_SERVER_AUTH'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_CERT_EXPIRING';

export interface VerifyChainInput {
  /** The certificates the server sent, leaf first. */
  presented: readonly X509Certificate[];
  trust: CaBundle;
  hostname: string;
  now: Date;
  expiryWarningDays: number;
}

export interface ChainVerdict {
  code: ChainCode;
  reason: string;
  /** The verified path, leaf first, ending at a trusted certificate; empty when none was found. */
  path: X509Certificate[];
}

export const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const MAX_PATH_LENGTH = 10;
const MAX_SIGNATURE_CHECKS = 100;
const MAX_PATHS = 8;
const DAY_MS = 86_400_000;

type Problem = { code: ChainCode; reason: string };

const name = (cert: X509Certificate): string => oneLine(cert.subject) || '(empty subject)';
const issuerName = (cert: X509Certificate): string => oneLine(cert.issuer) || '(empty issuer)';
const notBefore = (cert: X509Certificate): number => Date.parse(cert.validFrom);
const notAfter = (cert: X509Certificate): number => Date.parse(cert.validTo);

/** Go links a child to a parent by issuer name and checks the signature. */
function issuedBy(child: X509Certificate, parent: X509Certificate, budget: { checks: number }): boolean {
  if (child.issuer !== parent.subject && !child.checkIssued(parent)) return false;
  if (budget.checks >= MAX_SIGNATURE_CHECKS) return false;
  budget.checks++;
  try {
    return child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/** Every path (bounded in length, count and signature checks) from the leaf to a trusted certificate. */
export function buildPaths(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  roots: readonly X509Certificate[],
): X509Certificate[][] {
  const rootPrints = new Set(roots.map((r) => r.fingerprint256));
  if (rootPrints.has(leaf.fingerprint256)) return [[leaf]];
  const paths: X509Certificate[][] = [];
  const budget = { checks: 0 };
  const extend = (path: X509Certificate[]): void => {
    const current = path[path.length - 1];
    if (!current || paths.length >= MAX_PATHS || path.length >= MAX_PATH_LENGTH) return;
    for (const root of roots) {
      if (paths.length < MAX_PATHS && issuedBy(current, root, budget)) paths.push([...path, root]);
    }
    const inPath = new Set(path.map((c) => c.fingerprint256));
    for (const candidate of intermediates) {
      if (inPath.has(candidate.fingerprint256) || rootPrints.has(candidate.fingerprint256) || !candidate.ca)
        continue;
      if (issuedBy(current, candidate, budget)) extend([...path, candidate]);
    }
  };
  extend([leaf]);
  return paths;
}

/** The furthest the presented certificates lead, for naming the issuer that is not trusted. */
function untrusted(
  leaf: X509Certificate,
  intermediates: readonly X509Certificate[],
  trust: CaBundle,
): Problem {
  const budget = { checks: 0 };
  const chain = [leaf];
  for (let top = leaf; chain.length < MAX_PATH_LENGTH; ) {
    const next = intermediates.find((c) => !chain.includes(c) && c.ca && issuedBy(top, c, budget));
    if (!next) break;
    chain.push(next);
    top = next;
  }
  const top = chain[chain.length - 1] ?? leaf;
  const via = chain.length > 1 ? ` via ${chain.slice(1).map(name).join(' -> ')}` : '';
  const trusted = trust.subjects.length > 0 ? trust.subjects.join('; ') : 'nothing';
  return {
    code: 'TLS_UNTRUSTED_ISSUER',
    reason:
      `certificate ${name(leaf)}${via} is issued by ${issuerName(top)}, which is not in the cluster CA bundle ` +
      `(${trust.source}: ${trusted})`,
  };
}

function validityProblem(path: readonly X509Certificate[], now: number): Problem | undefined {
  for (const [i, cert] of path.entries()) {
    const what = i === 0 ? `certificate ${name(cert)}` : `CA ${name(cert)}`;
    if (now < notBefore(cert)) {
      return { code: 'TLS_CERT_NOT_YET_VALID', reason: `${what} is not valid before ${cert.validFrom}` };
    }
    if (now > notAfter(cert)) {
      return { code: 'TLS_CERT_EXPIRED', reason: `${what} expired on ${cert.validTo}` };
    }
  }
  return undefined;
}

function serverAuthProblem(path: readonly X509Certificate[]): Problem | undefined {
  for (const [i, cert] of path.entries()) {
    const usages = cert.keyUsage;
    if (!usages || usages.length === 0) continue;
    if (usages.includes(SERVER_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE)) continue;
    const what = i === 0 ? `certificate ${name(cert)}` : `CA ${name(cert)}`;
    return {
      code: 'TLS_NOT_SERVER_AUTH',
      reason: `${what} limits extended key usage to ${usages.join(', ')}, without serverAuth (${SERVER_AUTH})`,
    };
  }
  return undefined;
}

function pathProblem(path: readonly X509Certificate[], now: number): Problem | undefined {
  return validityProblem(path, now) ?? serverAuthProblem(path);
}

function describeSans(leaf: X509Certificate): string {
  const sans = subjectAltNames(leaf);
  const all = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ips.map((ip) => `IP:${ip}`)];
  return all.length > 0 ? all.join(', ') : 'no DNS or IP SAN (the Common Name is not used)';
}

export function verifyServerChain(input: VerifyChainInput): ChainVerdict {
  const [leaf, ...intermediates] = input.presented;
  if (!leaf) return { code: 'TLS_UNTRUSTED_ISSUER', reason: 'the server presented no certificate', path: [] };
  const now = input.now.getTime();
  const paths = buildPaths(leaf, intermediates, input.trust.certificates);
  if (paths.length === 0) return { ...untrusted(leaf, intermediates, input.trust), path: [] };

  const good = paths.find((p) => pathProblem(p, now) === undefined);
  if (!good) {
    const first = paths[0] ?? [leaf];
    const problem = pathProblem(first, now) ?? { code: 'TLS_UNTRUSTED_ISSUER', reason: 'no valid path' };
    return { ...problem, path: first };
  }
  if (!hostnameMatches(subjectAltNames(leaf), input.hostname)) {
    return {
      code: 'TLS_HOSTNAME_MISMATCH',
      reason: `certificate ${name(leaf)} is not valid for ${input.hostname}; it covers ${describeSans(leaf)}`,
      path: good,
    };
  }
  const left = notAfter(leaf) - now;
  if (left < input.expiryWarningDays * DAY_MS) {
    return {
      code: 'TLS_CERT_EXPIRING',
      reason: `certificate ${name(leaf)} expires on ${leaf.validTo}, in ${Math.floor(left / DAY_MS)} days`,
      path: good,
    };
  }
  const root = good[good.length - 1] ?? leaf;
  return {
    code: 'TLS_OK',
    reason: `certificate ${name(leaf)} chains to ${name(root)} and is valid for ${input.hostname} until ${leaf.validTo}`,
    path: good,
  };
}
