import type { X509Certificate } from 'node:crypto';
import type { GoCertificate, IpRange } from './x509-go.ts';

/**
 * Name constraints as Go's crypto/x509 applies them: a CA's permitted and excluded subtrees limit
 * the DNS and IP subject alternative names of every certificate below it that has a SAN extension
 * (the Common Name is never checked). An empty permitted list permits everything; an excluded
 * match always refuses. DNS constraints match whole labels, case-insensitively; a leading `.`
 * requires at least one more label.
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

/** Go's matchDomainConstraint. */
export function matchDomainConstraint(domain: string, constraint: string): boolean | undefined {
  if (constraint.length === 0) return true;
  const domainLabels = reverseLabels(domain);
  if (!domainLabels) return undefined;
  const mustHaveSubdomains = constraint.startsWith('.');
  const constraintLabels = reverseLabels(mustHaveSubdomains ? constraint.slice(1) : constraint);
  if (!constraintLabels) return undefined;
  if (
    domainLabels.length < constraintLabels.length ||
    (mustHaveSubdomains && domainLabels.length === constraintLabels.length)
  ) {
    return false;
  }
  return constraintLabels.every((label, i) => label.toLowerCase() === domainLabels[i]?.toLowerCase());
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
): { excludedBy?: C; unparseable?: true; notPermitted?: true } | undefined {
  budget.n += excluded.length;
  for (const c of excluded) {
    const m = match(value, c);
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

/** The first name below `ca` (in `chain`, leaf first) that its name constraints refuse. */
export function nameConstraintProblem(
  ca: GoCertificate,
  chain: readonly GoCertificate[],
  name: (c: X509Certificate) => string,
): Problem | undefined {
  const nc = ca.nameConstraints;
  if (!nc) return undefined;
  const budget = { n: 0 };
  const caName = `CA ${name(ca.node)}`;
  const permits = (list: readonly string[]): string =>
    list.length > 0 ? `limits DNS names to ${list.map((d) => (d === '' ? '(any)' : d)).join(', ')}` : '';
  for (const cert of chain) {
    if (!cert.hasSan) continue;
    const where = `certificate ${name(cert.node)}`;
    for (const dns of cert.dnsNames) {
      const r = check(dns, nc.permittedDns, nc.excludedDns, matchDomainConstraint, budget);
      if (budget.n > MAX_COMPARISONS) {
        return {
          code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
          reason: `${caName} has too many name constraints for Go to check`,
        };
      }
      if (!r) continue;
      if (r.unparseable) {
        return {
          code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
          reason: `${caName} has name constraints and ${where} carries DNS name "${dns.slice(0, 80)}", which Go cannot parse as a domain`,
        };
      }
      if (r.excludedBy !== undefined) {
        return {
          code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
          reason: `${caName} excludes DNS names under ${r.excludedBy}; ${where} carries ${dns}, which falls inside it`,
        };
      }
      return {
        code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
        reason: `${caName} ${permits(nc.permittedDns)}; ${where} carries ${dns}, which is outside it`,
      };
    }
    for (const ip of cert.ipAddresses) {
      const r = check(ip, nc.permittedIps, nc.excludedIps, (v, c) => matchIpConstraint(v, c), budget);
      if (!r) continue;
      if (r.excludedBy !== undefined) {
        return {
          code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
          reason: `${caName} excludes IP addresses in ${rangeText(r.excludedBy)}; ${where} carries ${ipText(ip)}, which falls inside it`,
        };
      }
      return {
        code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
        reason: `${caName} limits IP addresses to ${nc.permittedIps.map(rangeText).join(', ')}; ${where} carries ${ipText(ip)}, which is outside it`,
      };
    }
  }
  return undefined;
}
