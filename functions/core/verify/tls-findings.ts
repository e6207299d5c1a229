import type { ClusterConfig } from '../config/schema.ts';
import { CODES } from '../findings/codes.ts';
import { type Finding, SEVERITY_RANK } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { hostPort } from '../tls/connect-to.ts';
import { type ProbeResult, tlsFinding } from '../tls/probe.ts';
import type { Ipv6Only } from './resolve-targets.ts';

const rank = (p: ProbeResult) => SEVERITY_RANK[CODES[p.code].severity];

/** Pure: the worst of a zone's probes; on a tie, the first address in sorted order (a stable pick). */
function worstOf(probes: readonly ProbeResult[]): ProbeResult {
  const sorted = [...probes].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return sorted.reduce((worst, p) => (rank(p) > rank(worst) ? p : worst));
}

/**
 * Pure: the TLS findings of a run, one per resource. The probes that share a resource (the
 * addresses of a name in one zone, `<resource>@<zone>`) become one finding: the worst result, so a
 * failing address is never hidden by a passing one, with every address and its result in the
 * message and in `details.addresses`.
 */
export function tlsFindings(cluster: Pick<ClusterConfig, 'name'>, probes: readonly ProbeResult[]): Finding[] {
  const byResource = new Map<string, ProbeResult[]>();
  for (const p of probes) byResource.set(p.resource, [...(byResource.get(p.resource) ?? []), p]);
  return [...byResource.values()].map((group) => {
    const worst = worstOf(group);
    const base = tlsFinding(cluster, worst);
    if (group.length === 1) return base;
    const each = [...group]
      .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
      .map((p) => ({ address: p.host, endpoint: hostPort(p.host, p.port), code: p.code, reason: p.reason }));
    return {
      ...base,
      message: `${base.message} [${each.length} addresses in ${worst.zone ?? 'unknown zone'}: ${each.map((e) => `${e.endpoint} ${e.code}`).join(', ')}]`,
      details: { ...base.details, addresses: each },
    };
  });
}

/** An endpoint left undialled: it has IPv6 addresses only, and `verifier.ipv6` is off. */
export function ipv6NotProbed(cluster: Pick<ClusterConfig, 'name'>, skipped: Ipv6Only): Finding {
  const what = skipped.name
    ? `${skipped.name} resolves to IPv6 addresses only (${skipped.addresses.join(', ')})`
    : `${skipped.resource} has no private IPv4 address, only ${skipped.addresses.join(', ')}`;
  return finding('TLS_IPV6_NOT_PROBED', {
    cluster: cluster.name,
    resource: skipped.resource,
    expected: 'an address the verifier can dial (IPv4, or IPv6 with verifier.ipv6)',
    actual: what,
    message: `TLS not judged: ${what}, and verifier.ipv6 is off; set verifier.ipv6: true with dual-stack node subnets`,
    details: { addresses: skipped.addresses, ...(skipped.name ? { name: skipped.name } : {}) },
  });
}
