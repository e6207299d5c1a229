import type { X509Certificate } from 'node:crypto';
import { type CaBundle, oneLine } from '../ca/bundle.ts';
import {
  GO_REFUSED_ALGORITHMS,
  GO_SIGNATURE_ALGORITHMS,
  type GoRules,
  goRules,
  handlesCriticalExtension,
  maxCertificateMessageBytes,
  minimumRsaBits,
  refusesNegativeSerial,
} from './go-rules.ts';
import { goSubjectAltNames, hostnameMatches, type SubjectAltNames } from './hostname.ts';
import { constrainedBy, nameConstraintProblem } from './name-constraints.ts';
import { policyFailure } from './policy.ts';
import { CertificateParseError, type GoCertificate, goCertificate, KEY_CERT_SIGN } from './x509-go.ts';

/**
 * Judges a presented certificate chain the way Go's crypto/x509 does for kubelet (tls.Config with
 * RootCAs = the bundle, ServerName = the node-facing API name):
 * - every certificate the server sent must parse by Go's rules (Go 1.23+: no negative serials);
 * - chains are built as Go builds them: a parent is any trusted or presented certificate whose raw
 *   subject bytes equal the child's raw issuer bytes and whose key verifies the child's signature
 *   with an algorithm Go accepts (SHA-1 refused); the parent must be a CA (basicConstraints) and,
 *   when it has a KeyUsage, allow keyCertSign (the leaf's KeyUsage is ignored, as Go ignores it);
 * - the bundle as Go loads it (certificates Go cannot parse skipped; Go 1.23+: negative serials too);
 * - each parent must have no critical extension Go does not handle, be within its validity
 *   period, pass its name constraints (DNS, IP, email, URI; on the certificates the Go release
 *   checks, see constrainedBy), and respect its path-length limit;
 * - Go 1.24+: certificate policy validation of each built chain (policy.ts);
 * - the leaf: no unhandled critical extension, within its validity period;
 * - extended key usage: each certificate that lists EKUs must list serverAuth or anyExtendedKeyUsage;
 * - the hostname against DNS/IP SANs only (no Common Name fallback), wildcards covering one label.
 * Path building is bounded by Go's own limit of 100 signature checks, and by path length and count.
 * Go reports the leaf's own expiry and hostname before the chain; this reports the most telling
 * cause first: unparseable > no chain (the rule that stopped it, else untrusted) > expired / not
 * yet valid > not server auth > hostname > expiring.
 */

export type ChainCode =
  | 'TLS_OK'
  | 'TLS_UNTRUSTED_ISSUER'
  | 'TLS_CERT_EXPIRED'
  | 'TLS_CERT_NOT_YET_VALID'
  | 'TLS_NOT_SERVER_AUTH'
  | 'TLS_HOSTNAME_MISMATCH'
  | 'TLS_CERT_EXPIRING'
  | 'TLS_NAME_CONSTRAINTS_VIOLATED'
  | 'TLS_PATH_LENGTH_EXCEEDED'
  | 'TLS_INSECURE_SIGNATURE'
  | 'TLS_UNHANDLED_CRITICAL_EXTENSION'
  | 'TLS_ISSUER_NAME_ENCODING'
  | 'TLS_INVALID_POLICIES'
  | 'TLS_CERT_UNPARSEABLE'
  | 'TLS_CHAIN_NOT_READ';

export interface VerifyChainInput {
  /** The certificates the server sent, leaf first. */
  presented: readonly X509Certificate[];
  trust: CaBundle;
  hostname: string;
  now: Date;
  expiryWarningDays: number;
  /**
   * `wire` (default): `presented` is every certificate the server sent, as sent. `linked`: only what
   * Node's OpenSSL linked could be obtained, so intermediates may be missing; an untrusted or
   * passing verdict then becomes TLS_CHAIN_NOT_READ (never TLS_OK).
   */
  chainSource?: 'wire' | 'linked';
  /** The Go release whose rules apply (`tls.goVersionRules`); default: current. */
  goVersionRules?: string;
  /** Size of the Certificate message the server sent (wire only); Go refuses one over its limit. */
  certificateMessageBytes?: number;
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
/** Go's maxChainSignatureChecks. */
const MAX_SIGNATURE_CHECKS = 100;
const MAX_PATHS = 8;
/** Certificates parsed, as Go parses every one sent (the Certificate message size bounds them). */
const MAX_PRESENTED = 4096;
/** Certificates searched for a differently encoded issuer name. */
const MAX_ENCODING_SEARCH = 64;
const DAY_MS = 86_400_000;

export type Problem = { code: ChainCode; reason: string; badSignature?: true };

export const certName = (cert: X509Certificate): string => oneLine(cert.subject) || '(empty subject)';
const name = certName;
const issuerName = (cert: X509Certificate): string => oneLine(cert.issuer) || '(empty issuer)';
const notBefore = (cert: X509Certificate): number => Date.parse(cert.validFrom);
const notAfter = (cert: X509Certificate): number => Date.parse(cert.validTo);

interface Context {
  roots: GoCertificate[];
  intermediates: GoCertificate[];
  now: number;
  rules: GoRules;
  checks: number;
  /** Why candidate parents were refused, in the order met (Go keeps the first as its hint). */
  refusals: Problem[];
}

function unhandledCritical(cert: GoCertificate, rules: GoRules): string[] {
  return cert.critical
    .filter((e) => !e.contentHandled || !handlesCriticalExtension(e.oid, rules))
    .map((e) => e.oid);
}

function criticalProblem(cert: GoCertificate, what: string, rules: GoRules): Problem | undefined {
  const unknown = unhandledCritical(cert, rules);
  if (unknown.length === 0) return undefined;
  return {
    code: 'TLS_UNHANDLED_CRITICAL_EXTENSION',
    reason: `${what} marks extension ${unknown.join(', ')} critical; ${rules.label} (kubelet) does not handle it and refuses the certificate`,
  };
}

function validityProblem(cert: X509Certificate, what: string, now: number): Problem | undefined {
  if (now < notBefore(cert)) {
    return { code: 'TLS_CERT_NOT_YET_VALID', reason: `${what} is not valid before ${cert.validFrom}` };
  }
  if (now > notAfter(cert)) return { code: 'TLS_CERT_EXPIRED', reason: `${what} expired on ${cert.validTo}` };
  return undefined;
}

/** An RSA key shorter than the Go release accepts. */
function weakKeyProblem(cert: GoCertificate, what: string, rules: GoRules): Problem | undefined {
  const key = cert.node.publicKey;
  const bits = key.asymmetricKeyType === 'rsa' ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 0;
  if (bits === 0 || bits >= minimumRsaBits(rules)) return undefined;
  return {
    code: 'TLS_INSECURE_SIGNATURE',
    reason: `${what} has a ${bits}-bit RSA key; ${rules.label} (kubelet) refuses RSA keys under ${minimumRsaBits(rules)} bits`,
  };
}

/** Go's CheckSignatureFrom: the parent may sign certificates, the algorithm is one Go accepts, the signature holds. */
function signatureProblem(child: GoCertificate, parent: GoCertificate, rules: GoRules): Problem | undefined {
  const ca = `CA ${name(parent.node)}`;
  if (
    (parent.version === 3 && !parent.basicConstraintsValid) ||
    (parent.basicConstraintsValid && !parent.isCa)
  ) {
    return {
      code: 'TLS_UNTRUSTED_ISSUER',
      reason: `${name(parent.node)} issued ${name(child.node)} but is not a CA (basicConstraints CA:TRUE is missing)`,
    };
  }
  if (parent.keyUsage !== undefined && parent.keyUsage !== 0 && (parent.keyUsage & KEY_CERT_SIGN) === 0) {
    return {
      code: 'TLS_UNTRUSTED_ISSUER',
      reason: `${ca} has a key usage without keyCertSign, so Go does not accept its signature on ${name(child.node)}`,
    };
  }
  const weak = weakKeyProblem(parent, ca, rules);
  if (weak) return weak;
  const alg = child.signatureAlgorithm;
  if (!GO_SIGNATURE_ALGORITHMS[alg]) {
    const known = GO_REFUSED_ALGORITHMS[alg];
    return {
      code: 'TLS_INSECURE_SIGNATURE',
      reason: `${name(child.node)} is signed by ${ca} with ${known ?? `algorithm ${alg}`}, which ${rules.label} (kubelet) refuses${known ? ' as insecure' : ''}; only the trust anchor itself may be SHA-1 signed`,
    };
  }
  if (child.pssUnsupported) {
    return {
      code: 'TLS_INSECURE_SIGNATURE',
      reason: `${name(child.node)} is signed by ${ca} with RSA-PSS using ${child.pssUnsupported}; ${rules.label} (kubelet) accepts RSA-PSS only with SHA-256/384/512, MGF1 with the same hash, a salt as long as the hash and trailer field 1, and otherwise fails with "algorithm unimplemented"`,
    };
  }
  try {
    if (child.node.verify(parent.node.publicKey)) return undefined;
  } catch {
    // an unusable key is a bad signature
  }
  return {
    code: 'TLS_UNTRUSTED_ISSUER',
    reason: `the signature on ${name(child.node)} does not verify with the key of ${ca}`,
    badSignature: true,
  };
}

/** Go's isValid for a candidate parent, given the chain below it (leaf first). */
function candidateProblem(
  cand: GoCertificate,
  kind: 'root' | 'intermediate',
  chain: readonly GoCertificate[],
  ctx: Context,
): Problem | undefined {
  const what = `CA ${name(cand.node)}`;
  const problem = criticalProblem(cand, what, ctx.rules) ?? validityProblem(cand.node, what, ctx.now);
  if (problem) return problem;
  const nc = nameConstraintProblem(cand, constrainedBy(cand, chain, ctx.rules.minor), name, ctx.rules.minor);
  if (nc) return nc;
  if (kind === 'intermediate' && (!cand.basicConstraintsValid || !cand.isCa)) {
    return {
      code: 'TLS_UNTRUSTED_ISSUER',
      reason: `${name(cand.node)} is not a CA and cannot act as an intermediate`,
    };
  }
  if (cand.basicConstraintsValid && cand.maxPathLen >= 0 && chain.length - 1 > cand.maxPathLen) {
    const below = chain.length - 1;
    return {
      code: 'TLS_PATH_LENGTH_EXCEEDED',
      reason: `${what} allows at most ${cand.maxPathLen} intermediate CA${cand.maxPathLen === 1 ? '' : 's'} below it (pathLenConstraint), but the chain has ${below}: ${chain
        .slice(1)
        .map((c) => name(c.node))
        .join(' -> ')}`,
    };
  }
  return undefined;
}

/** Go's alreadyInChain: same subject, public key and SANs. */
function inChain(cand: GoCertificate, chain: readonly GoCertificate[]): boolean {
  return chain.some(
    (c) =>
      c.rawSubject.equals(cand.rawSubject) &&
      c.node.publicKey.equals(cand.node.publicKey) &&
      c.dnsNames.join(',') === cand.dnsNames.join(',') &&
      c.ipAddresses.map((ip) => ip.toString('hex')).join(',') ===
        cand.ipAddresses.map((ip) => ip.toString('hex')).join(','),
  );
}

/** Go's findPotentialParents: raw name match, ordered by key-identifier agreement. */
function potentialParents(child: GoCertificate, pool: readonly GoCertificate[]): GoCertificate[] {
  const named = pool.filter((p) => p.rawSubject.equals(child.rawIssuer));
  const rank = (p: GoCertificate): number => {
    if (p.subjectKeyId === child.authorityKeyId) return 0;
    if ((p.subjectKeyId === '') !== (child.authorityKeyId === '')) return 1;
    return 2;
  };
  return [...named].sort((a, b) => rank(a) - rank(b));
}

function buildChains(chain: GoCertificate[], ctx: Context, out: GoCertificate[][]): void {
  const child = chain[chain.length - 1];
  if (!child || chain.length > MAX_PATH_LENGTH) return;
  const consider = (kind: 'root' | 'intermediate', cand: GoCertificate): void => {
    if (out.length >= MAX_PATHS || ctx.checks >= MAX_SIGNATURE_CHECKS || inChain(cand, chain)) return;
    ctx.checks++;
    const problem = signatureProblem(child, cand, ctx.rules) ?? candidateProblem(cand, kind, chain, ctx);
    if (problem) {
      ctx.refusals.push(problem);
      return;
    }
    if (kind === 'root') out.push([...chain, cand]);
    else buildChains([...chain, cand], ctx, out);
  };
  for (const root of potentialParents(child, ctx.roots)) consider('root', root);
  for (const intermediate of potentialParents(child, ctx.intermediates))
    consider('intermediate', intermediate);
}

/** Every Go-valid chain (bounded) from the leaf to a trusted certificate. */
function chainsFor(leaf: GoCertificate, ctx: Context): GoCertificate[][] {
  if (ctx.roots.some((r) => r.node.raw.equals(leaf.node.raw))) return [[leaf]];
  const out: GoCertificate[][] = [];
  buildChains([leaf], ctx, out);
  return out;
}

/** A parent that matches the child's issuer as text and verifies its signature, but whose name is encoded differently. */
function encodingMismatch(ctx: Context, leaf: GoCertificate): Problem | undefined {
  const all = [leaf, ...ctx.intermediates];
  for (const child of all.slice(0, MAX_ENCODING_SEARCH)) {
    for (const parent of [...ctx.roots, ...ctx.intermediates]) {
      if (parent === child || parent.rawSubject.equals(child.rawIssuer)) continue;
      if (child.node.issuer !== parent.node.subject) continue;
      if (ctx.checks >= MAX_SIGNATURE_CHECKS * 2) return undefined;
      ctx.checks++;
      let signed = false;
      try {
        signed = child.node.verify(parent.node.publicKey);
      } catch {
        signed = false;
      }
      if (!signed) continue;
      return {
        code: 'TLS_ISSUER_NAME_ENCODING',
        reason:
          `${name(child.node)} names its issuer ${issuerName(child.node)} and is signed by ${name(parent.node)}, ` +
          `but the two names are encoded differently (e.g. PrintableString vs UTF8String); Go links a certificate ` +
          `to its issuer only when the encoded names are byte-identical, so kubelet sees an unknown authority`,
      };
    }
  }
  return undefined;
}

/** The furthest the presented certificates lead, for naming the issuer that is not trusted. */
function untrusted(leaf: GoCertificate, ctx: Context, trust: CaBundle): Problem {
  const chain = [leaf];
  for (let top = leaf; chain.length < MAX_PATH_LENGTH; ) {
    const next = ctx.intermediates.find((c) => !chain.includes(c) && c.rawSubject.equals(top.rawIssuer));
    if (!next) break;
    chain.push(next);
    top = next;
  }
  const top = chain[chain.length - 1] ?? leaf;
  const via =
    chain.length > 1
      ? ` via ${chain
          .slice(1)
          .map((c) => name(c.node))
          .join(' -> ')}`
      : '';
  const trusted = trust.subjects.length > 0 ? trust.subjects.join('; ') : 'nothing';
  return {
    code: 'TLS_UNTRUSTED_ISSUER',
    reason:
      `certificate ${name(leaf.node)}${via} is issued by ${issuerName(top.node)}, which is not in the cluster CA bundle ` +
      `(${trust.source}: ${trusted})`,
  };
}

/** Go's checkChainForKeyUsage for serverAuth. */
function serverAuthProblem(path: readonly GoCertificate[]): Problem | undefined {
  for (const [i, cert] of path.entries()) {
    const usages = cert.extKeyUsage;
    if (usages.length === 0) continue;
    if (usages.includes(SERVER_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE)) continue;
    const what = i === 0 ? `certificate ${name(cert.node)}` : `CA ${name(cert.node)}`;
    return {
      code: 'TLS_NOT_SERVER_AUTH',
      reason: `${what} limits extended key usage to ${usages.join(', ')}, without serverAuth (${SERVER_AUTH})`,
    };
  }
  return undefined;
}

function describeSans(sans: SubjectAltNames): string {
  const all = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ips.map((ip) => `IP:${ip}`)];
  return all.length > 0 ? all.join(', ') : 'no DNS or IP SAN (the Common Name is not used)';
}

function parseAll(
  certs: readonly X509Certificate[],
  rules: GoRules,
  label: (i: number) => string,
): GoCertificate[] | Problem {
  const out: GoCertificate[] = [];
  for (const [i, cert] of certs.slice(0, MAX_PRESENTED).entries()) {
    let parsed: GoCertificate;
    try {
      parsed = goCertificate(cert);
    } catch (err) {
      const why = err instanceof CertificateParseError ? err.message : String(err).slice(0, 80);
      return { code: 'TLS_CERT_UNPARSEABLE', reason: `${label(i)} ${name(cert)} cannot be parsed: ${why}` };
    }
    if (parsed.serialNegative && refusesNegativeSerial(rules)) {
      return {
        code: 'TLS_CERT_UNPARSEABLE',
        reason:
          `${label(i)} ${name(cert)} has a negative serial number (${cert.serialNumber.slice(0, 40)}); ` +
          `${rules.label} (kubelet 1.32 and later) refuses to parse it, so the TLS handshake fails`,
      };
    }
    out.push(parsed);
  }
  return out;
}

/**
 * The bundle as Go's AppendCertsFromPEM loads it: a certificate Go cannot parse is skipped, and so,
 * from Go 1.23, is one with a negative serial number (kubelet then sees an unknown authority).
 */
function trustedRoots(trust: CaBundle, rules: GoRules): GoCertificate[] {
  const roots: GoCertificate[] = [];
  for (const cert of trust.certificates) {
    try {
      const root = goCertificate(cert);
      if (!root.serialNegative || !refusesNegativeSerial(rules)) roots.push(root);
    } catch {
      // a bundle certificate Go could not parse is no trust anchor
    }
  }
  return roots;
}

/** Bundle certificates Go skips when loading it, for naming them when no chain is found. */
function skippedRoots(trust: CaBundle, rules: GoRules): string[] {
  const skipped: string[] = [];
  for (const cert of trust.certificates) {
    try {
      const root = goCertificate(cert);
      if (root.serialNegative && refusesNegativeSerial(rules)) {
        skipped.push(`${name(cert)} (negative serial number; Go 1.23 and later skip such a CA)`);
      }
    } catch (err) {
      const why = err instanceof CertificateParseError ? err.message : 'unparseable';
      skipped.push(`${name(cert)} (${why.slice(0, 80)})`);
    }
  }
  return skipped;
}

const MOST_TELLING: readonly ChainCode[] = [
  'TLS_NAME_CONSTRAINTS_VIOLATED',
  'TLS_PATH_LENGTH_EXCEEDED',
  'TLS_INSECURE_SIGNATURE',
  'TLS_UNHANDLED_CRITICAL_EXTENSION',
  'TLS_CERT_EXPIRED',
  'TLS_CERT_NOT_YET_VALID',
];

function noChain(leaf: GoCertificate, ctx: Context, input: VerifyChainInput): Problem {
  for (const code of MOST_TELLING) {
    const refusal = ctx.refusals.find((r) => r.code === code);
    if (refusal) return refusal;
  }
  const encoding = encodingMismatch(ctx, leaf);
  if (encoding) return encoding;
  const notCa = ctx.refusals.find((r) => !r.badSignature);
  const base = untrusted(leaf, ctx, input.trust);
  const skipped = skippedRoots(input.trust, ctx.rules);
  const withSkipped =
    skipped.length > 0
      ? {
          ...base,
          reason: `${base.reason}; Go does not load ${skipped.slice(0, 3).join(', ')} from the bundle`,
        }
      : base;
  const problem = notCa ? { ...withSkipped, reason: `${withSkipped.reason}; ${notCa.reason}` } : withSkipped;
  if (input.chainSource === 'linked') {
    return {
      code: 'TLS_CHAIN_NOT_READ',
      reason:
        `${problem.reason}. The certificates the server sent could not be read from the handshake, only those ` +
        `Node could link, so an intermediate the server did send may be missing from this verdict`,
    };
  }
  return problem;
}

export function verifyServerChain(input: VerifyChainInput): ChainVerdict {
  const rules = goRules(input.goVersionRules);
  if (input.presented.length === 0) {
    return { code: 'TLS_UNTRUSTED_ISSUER', reason: 'the server presented no certificate', path: [] };
  }
  const limit = maxCertificateMessageBytes(rules);
  if (input.certificateMessageBytes !== undefined && input.certificateMessageBytes > limit) {
    return {
      code: 'TLS_CERT_UNPARSEABLE',
      reason:
        `the server's Certificate message is ${input.certificateMessageBytes} bytes (${input.presented.length} certificates); ` +
        `${rules.label} (kubelet) refuses handshake messages over ${limit} bytes, so the TLS handshake fails`,
      path: [],
    };
  }
  const presented = parseAll(input.presented, rules, (i) =>
    i === 0 ? 'certificate' : `certificate #${i + 1} sent by the server,`,
  );
  if (!Array.isArray(presented)) return { ...presented, path: [] };
  const [leaf, ...intermediates] = presented;
  if (!leaf) return { code: 'TLS_UNTRUSTED_ISSUER', reason: 'the server presented no certificate', path: [] };
  const now = input.now.getTime();
  const ctx: Context = {
    roots: trustedRoots(input.trust, rules),
    intermediates,
    now,
    rules,
    checks: 0,
    refusals: [],
  };
  const chains = chainsFor(leaf, ctx);
  if (chains.length === 0) {
    const { code, reason } = noChain(leaf, ctx, input);
    return { code, reason, path: [] };
  }

  const leafNode = leaf.node;
  const nodes = (chain: readonly GoCertificate[]): X509Certificate[] => chain.map((c) => c.node);
  const first = chains[0] ?? [leaf];
  const leafProblem =
    criticalProblem(leaf, `certificate ${name(leafNode)}`, rules) ??
    weakKeyProblem(leaf, `certificate ${name(leafNode)}`, rules) ??
    validityProblem(leafNode, `certificate ${name(leafNode)}`, now);
  if (leafProblem) return { ...leafProblem, path: nodes(first) };
  // Go 1.24+: chains that fail certificate policy validation are dropped before the usage check.
  const withPolicies = rules.minor >= 24 ? chains.filter((c) => !policyFailure(c, name)) : chains;
  if (withPolicies.length === 0) {
    const failure = policyFailure(first, name);
    return {
      code: 'TLS_INVALID_POLICIES',
      reason: failure?.reason ?? 'no chain has valid policies',
      path: nodes(first),
    };
  }
  const good = withPolicies.find((c) => serverAuthProblem(c) === undefined);
  if (!good) {
    const problem = serverAuthProblem(first) ?? {
      code: 'TLS_NOT_SERVER_AUTH',
      reason: 'no chain allows serverAuth',
    };
    return { ...problem, path: nodes(first) };
  }
  const path = nodes(good);
  const sans = goSubjectAltNames(leaf);
  if (!hostnameMatches(sans, input.hostname)) {
    return {
      code: 'TLS_HOSTNAME_MISMATCH',
      reason: `certificate ${name(leafNode)} is not valid for ${input.hostname}; it covers ${describeSans(sans)}`,
      path,
    };
  }
  const left = notAfter(leafNode) - now;
  if (left < input.expiryWarningDays * DAY_MS) {
    return {
      code: 'TLS_CERT_EXPIRING',
      reason: `certificate ${name(leafNode)} expires on ${leafNode.validTo}, in ${Math.floor(left / DAY_MS)} days`,
      path,
    };
  }
  const root = path[path.length - 1] ?? leafNode;
  if (input.chainSource === 'linked') {
    return {
      code: 'TLS_CHAIN_NOT_READ',
      reason:
        `the certificates Node linked pass ${rules.label}'s checks (${name(leafNode)} chains to ${name(root)}), but the ` +
        `Certificate message the server sent could not be read from the handshake, so a certificate it sent and Go ` +
        `would refuse (an unparseable extra, an oversized message) cannot be ruled out`,
      path,
    };
  }
  return {
    code: 'TLS_OK',
    reason: `certificate ${name(leafNode)} chains to ${name(root)} and is valid for ${input.hostname} until ${leafNode.validTo}`,
    path,
  };
}
