import type { X509Certificate } from 'node:crypto';
import type { GoCertificate, IpRange } from './x509-go.ts';

/**
 * Name constraints as Go's crypto/x509 applies them: a CA's permitted and excluded subtrees limit
 * the DNS, IP, email (rfc822Name) and URI subject alternative names of the certificates it is
 * checked against (which ones depends on the Go release: see constrainedBy); a certificate without
 * a SAN extension is not checked and the Common Name never is. An empty permitted list permits
 * everything; an excluded match always refuses. DNS constraints match whole labels,
 * case-insensitively; a leading `.` requires at least one more label. Once a CA has name
 * constraints, every DNS SAN and email SAN checked must parse (a trailing dot or an empty label
 * refuses the chain), whatever the constraint types; a URI SAN whose host is empty or an IP address
 * cannot match any URI constraint.
 */

type Problem = { code: 'TLS_NAME_CONSTRAINTS_VIOLATED'; reason: string };

/** Go's maxConstraintComparisons. */
const MAX_COMPARISONS = 250_000;

/** Go's domainToReverseLabels: undefined when the name cannot be split into non-empty printable-ASCII labels. */
export function reverseLabels(domain: string): string[] | undefined {
  if (domain.length === 0) return [];
  const labels = domain.split('.').reverse();
  if (labels.some((l) => l.length === 0 || /[^\x21-\x7e]/.test(l))) return undefined;
  return labels;
}

/**
 * Go's matchDomainConstraint. `excludedWildcards` (Go 1.24.11 / 1.25.5 and later, applied here from
 * rules 1.24 on): against an excluded constraint, a wildcard SAN `*.k8s.example.com` matches when
 * any name it covers would (`foo.k8s.example.com` excluded refuses it).
 */
export function matchDomainConstraint(
  domain: string,
  constraint: string,
  excludedWildcards = false,
): boolean | undefined {
  if (constraint.length === 0) return true;
  let domainLabels = reverseLabels(domain);
  if (!domainLabels) return undefined;
  const mustHaveSubdomains = constraint.startsWith('.');
  let constraintLabels = reverseLabels(mustHaveSubdomains ? constraint.slice(1) : constraint);
  if (!constraintLabels) return undefined;
  if (
    excludedWildcards &&
    domain.startsWith('*.') &&
    domainLabels.length > 1 &&
    constraintLabels.length > 0
  ) {
    domainLabels = domainLabels.slice(0, -1);
    constraintLabels = constraintLabels.slice(0, -1);
  }
  if (
    domainLabels.length < constraintLabels.length ||
    (mustHaveSubdomains && domainLabels.length === constraintLabels.length)
  ) {
    return false;
  }
  return constraintLabels.every((label, i) => label.toLowerCase() === domainLabels[i]?.toLowerCase());
}

/** qtext of RFC 5321 (and obs-qtext): printable ASCII and some controls, not `"` or `\\`. */
const quotedText = (c: number): boolean =>
  (c >= 0x01 && c <= 0x08) ||
  c === 0x0b ||
  c === 0x0c ||
  (c >= 0x0e && c <= 0x7e && c !== 0x22 && c !== 0x5c);

/** Go's parseRFC2821Mailbox, for the forms certificates carry: dot-atom or quoted local part, `@`, a domain. */
export function parseMailbox(text: string): { local: string; domain: string } | undefined {
  const at = text.startsWith('"') ? text.lastIndexOf('@') : text.indexOf('@');
  if (at <= 0) return undefined;
  const rawLocal = text.slice(0, at);
  const domain = text.slice(at + 1);
  let local: string;
  if (rawLocal.startsWith('"')) {
    if (rawLocal.length < 2 || !rawLocal.endsWith('"')) return undefined;
    local = '';
    const inner = rawLocal.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      let ch = inner[i] ?? '';
      if (ch === '\\') {
        i++;
        ch = inner[i] ?? '';
        const code = ch.charCodeAt(0);
        if (ch === '' || code < 0x01 || code > 0x7f) return undefined;
      } else if (!quotedText(ch.charCodeAt(0))) return undefined;
      local += ch;
    }
  } else {
    local = rawLocal.replace(/\\(.)/g, '$1');
    if (!/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.\\]+$/.test(rawLocal)) return undefined;
    if (local.length === 0 || local.startsWith('.') || local.endsWith('.') || local.includes('..'))
      return undefined;
  }
  if (!reverseLabels(domain)) return undefined;
  return { local, domain };
}

/** Go's matchEmailConstraint: a full mailbox matches exactly (domain case-insensitively), else a domain constraint. */
export function matchEmailConstraint(
  mailbox: { local: string; domain: string },
  constraint: string,
): boolean | undefined {
  if (constraint.includes('@')) {
    const c = parseMailbox(constraint);
    if (!c) return undefined;
    return mailbox.local === c.local && mailbox.domain.toLowerCase() === c.domain.toLowerCase();
  }
  return matchDomainConstraint(mailbox.domain, constraint);
}

export const isIpText = (text: string): boolean =>
  /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text));

const HOST_CHARS = /^([A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"]|%[0-9A-Fa-f]{2})*$/;

/**
 * The host (with any port) of a URI as Go's url.Parse gives it: '' when the URI has no authority;
 * undefined when Go cannot parse the URI (control characters, characters not allowed in a host,
 * a port that is not digits).
 */
export function uriHost(uri: string): string | undefined {
  if ([...uri].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) return undefined;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(uri);
  const rest = scheme ? uri.slice(scheme[0].length) : uri;
  if (!rest.startsWith('//')) return '';
  const authority = rest.slice(2).split(/[/?#]/)[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (!HOST_CHARS.test(host)) return undefined;
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (host.startsWith('[')) {
    if (close === -1 || !/^(:\d*)?$/.test(host.slice(close + 1))) return undefined;
  } else if (colon !== -1 && !/^:\d*$/.test(host.slice(colon))) return undefined;
  return host;
}

/** Go's matchURIConstraint: the URI's host against a domain constraint; IP or empty hosts cannot match. */
export function matchUriConstraint(uri: string, constraint: string): boolean | undefined {
  let host = uriHost(uri);
  if (!host) return undefined;
  if (host.includes(':') && !host.endsWith(']')) host = host.slice(0, host.lastIndexOf(':'));
  if ((host.startsWith('[') && host.endsWith(']')) || isIpText(host)) return undefined;
  return matchDomainConstraint(host, constraint);
}

/** Go's matchIPConstraint: same address length, equal under the mask. */
export function matchIpConstraint(ip: Buffer, constraint: IpRange): boolean {
  if (ip.length !== constraint.ip.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const mask = constraint.mask[i] ?? 0;
    if (((ip[i] ?? 0) & mask) !== ((constraint.ip[i] ?? 0) & mask)) return false;
  }
  return true;
}

export function ipText(ip: Buffer): string {
  if (ip.length === 4) return [...ip].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(ip.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.replace(/^\[|\]$/g, '');
}

export function rangeText(range: IpRange): string {
  const bits = [...range.mask].reduce((n, b) => n + (b.toString(2).match(/1/g)?.length ?? 0), 0);
  return `${ipText(range.ip)}/${bits}`;
}

function check<T, C>(
  value: T,
  permitted: readonly C[],
  excluded: readonly C[],
  match: (value: T, constraint: C) => boolean | undefined,
  budget: { n: number },
  matchExcluded: (value: T, constraint: C) => boolean | undefined = match,
): { excludedBy?: C; unparseable?: true; notPermitted?: true } | undefined {
  budget.n += excluded.length;
  for (const c of excluded) {
    const m = matchExcluded(value, c);
    if (m === undefined) return { unparseable: true };
    if (m) return { excludedBy: c };
  }
  budget.n += permitted.length;
  if (permitted.length === 0) return undefined;
  for (const c of permitted) {
    const m = match(value, c);
    if (m === undefined) return { unparseable: true };
    if (m) return undefined;
  }
  return { notPermitted: true };
}

/**
 * The certificates whose SANs a CA's name constraints are applied to, by Go release:
 * - before Go 1.19: the leaf only;
 * - Go 1.19 to 1.25: the leaf and the constrained CA itself (its own SANs), never the
 *   intermediates between them (golang/go#59171);
 * - Go 1.26 and later: every certificate below the CA, as RFC 5280 says (checked once the chain is
 *   built), and not the CA itself.
 */
export function constrainedBy(
  ca: GoCertificate,
  below: readonly GoCertificate[],
  minor: number,
): GoCertificate[] {
  const leaf = below[0];
  if (!leaf) return [];
  if (minor < 19) return [leaf];
  if (minor <= 25) return ca === leaf ? [leaf] : [leaf, ca];
  return [...below];
}

const problem = (reason: string): Problem => ({ code: 'TLS_NAME_CONSTRAINTS_VIOLATED', reason });

/** The first SAN of `certs` that the name constraints of `ca` refuse, as Go's isValid checks them. */
export function nameConstraintProblem(
  ca: GoCertificate,
  certs: readonly GoCertificate[],
  name: (c: X509Certificate) => string,
  minor: number,
): Problem | undefined {
  const nc = ca.nameConstraints;
  if (!nc) return undefined;
  const budget = { n: 0 };
  const caName = `CA ${name(ca.node)}`;
  const list = (l: readonly string[]): string => l.map((d) => (d === '' ? '(any)' : d)).join(', ');
  const tooMany = (): Problem | undefined =>
    budget.n > MAX_COMPARISONS
      ? problem(`${caName} has too many name constraints for Go to check`)
      : undefined;
  const refused = (
    kind: string,
    value: string,
    where: string,
    r: { excludedBy?: string; unparseable?: true; notPermitted?: true },
    permitted: readonly string[],
    unparseable: string,
  ): Problem => {
    if (r.unparseable)
      return problem(
        `${caName} has ${kind} name constraints and ${where} carries ${kind} "${value.slice(0, 80)}", ${unparseable}`,
      );
    if (r.excludedBy !== undefined) {
      return problem(
        `${caName} excludes ${kind} names under ${r.excludedBy}; ${where} carries ${value.slice(0, 80)}, which falls inside it`,
      );
    }
    return problem(
      `${caName} limits ${kind} names to ${list(permitted)}; ${where} carries ${value.slice(0, 80)}, which is outside it`,
    );
  };
  for (const cert of certs) {
    if (!cert.hasSan) continue;
    const where = cert === ca ? `the CA itself` : `certificate ${name(cert.node)}`;
    for (const dns of cert.dnsNames) {
      // Go parses every DNS SAN once any name constraint applies, whatever the constraint types.
      if (!reverseLabels(dns)) {
        return problem(
          `${caName} has name constraints and ${where} carries DNS name "${dns.slice(0, 80)}", which Go cannot parse as a domain (empty label or trailing dot), so it refuses the chain`,
        );
      }
      const r = check(
        dns,
        nc.permittedDns,
        nc.excludedDns,
        (d, c) => matchDomainConstraint(d, c),
        budget,
        (d, c) => matchDomainConstraint(d, c, minor >= 24),
      );
      const over = tooMany();
      if (over) return over;
      if (r) return refused('DNS', dns, where, r, nc.permittedDns, 'which Go cannot parse as a domain');
    }
    for (const email of cert.emailAddresses) {
      const mailbox = parseMailbox(email);
      if (!mailbox) {
        return problem(
          `${caName} has name constraints and ${where} carries email address "${email.slice(0, 80)}", which Go cannot parse as a mailbox`,
        );
      }
      const r = check(mailbox, nc.permittedEmails, nc.excludedEmails, matchEmailConstraint, budget);
      const over = tooMany();
      if (over) return over;
      if (r) return refused('email', email, where, r, nc.permittedEmails, 'which Go cannot match');
    }
    for (const uri of cert.uris) {
      const r = check(uri, nc.permittedUris, nc.excludedUris, matchUriConstraint, budget);
      const over = tooMany();
      if (over) return over;
      if (r) {
        return refused(
          'URI',
          uri,
          where,
          r,
          nc.permittedUris,
          'whose host is empty or an IP address, which Go cannot match against URI constraints',
        );
      }
    }
    for (const ip of cert.ipAddresses) {
      const r = check(ip, nc.permittedIps, nc.excludedIps, (v, c) => matchIpConstraint(v, c), budget);
      const over = tooMany();
      if (over) return over;
      if (!r) continue;
      if (r.excludedBy !== undefined) {
        return problem(
          `${caName} excludes IP addresses in ${rangeText(r.excludedBy)}; ${where} carries ${ipText(ip)}, which falls inside it`,
        );
      }
      return problem(
        `${caName} limits IP addresses to ${nc.permittedIps.map(rangeText).join(', ')}; ${where} carries ${ipText(ip)}, which is outside it`,
      );
    }
  }
  return undefined;
}
