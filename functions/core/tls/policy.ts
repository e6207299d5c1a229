import type { X509Certificate } from 'node:crypto';
import type { GoCertificate } from './x509-go.ts';

/**
 * Certificate policy validation as Go 1.24 and later run it on each built chain (RFC 5280 6.1 as
 * updated by RFC 9618), with kubelet's options: no required policy, explicit policy not
 * required, mapping and anyPolicy not inhibited. A chain fails only when a CA's
 * policyConstraints (requireExplicitPolicy) or the leaf's own make an explicit policy required and
 * no policy is valid for the whole path (a certificate below lists no policies, or the policies do
 * not intersect), or when a mapping involves anyPolicy.
 *
 * The counters (explicit policy, policy mapping, inhibit anyPolicy) are Go's, exactly. The policy
 * graph is kept as the set of valid policies (anyPolicy as "every policy"), with mappings applied
 * to that set: the same verdict as Go's graph for chains that do not map one policy to several.
 */

const ANY_POLICY = '2.5.29.32.0';

type Valid = { any: boolean; set: Set<string> } | undefined;

export interface PolicyFailure {
  /** The certificate at which the path ran out of valid policies, or that set the requirement. */
  reason: string;
}

function selfIssued(cert: GoCertificate): boolean {
  return cert.rawIssuer.equals(cert.rawSubject);
}

/** Go's policiesValid for one chain (leaf first, trust anchor last). */
export function policyFailure(
  chain: readonly GoCertificate[],
  name: (c: X509Certificate) => string,
): PolicyFailure | undefined {
  if (chain.length <= 1) return undefined;
  const n = chain.length - 1;
  let explicitPolicy = n + 1;
  let policyMapping = n + 1;
  let inhibitAnyPolicy = n + 1;
  let valid: Valid = { any: true, set: new Set() };
  let requiredBy = '';
  let emptiedAt = '';
  const what = (c: GoCertificate, i: number): string =>
    i === 0 ? `certificate ${name(c.node)}` : `CA ${name(c.node)}`;
  const fail = (): PolicyFailure => ({
    reason:
      `${requiredBy} requires an explicit certificate policy (policyConstraints requireExplicitPolicy), but ` +
      `${emptiedAt || 'the path'} leaves no policy valid for the whole chain; Go 1.24 and later (kubelet) ` +
      `refuse the chain ("all candidate chains have invalid policies")`,
  });
  for (let i = n - 1; i >= 0; i--) {
    const cert = chain[i] as GoCertificate;
    const p = cert.policy;
    if (p.policies.length === 0) {
      if (valid) emptiedAt = `${what(cert, i)}, which lists no certificate policies,`;
      valid = undefined;
    }
    if (explicitPolicy === 0 && !valid) return fail();
    if (valid) {
      const listed = new Set(p.policies.filter((x) => x !== ANY_POLICY));
      const anyListed = p.policies.includes(ANY_POLICY);
      const anyApplies = anyListed && (inhibitAnyPolicy > 0 || (n - i < n && selfIssued(cert)));
      let next: Valid;
      if (valid.any) next = { any: anyApplies, set: listed };
      else if (anyApplies) next = valid;
      else next = { any: false, set: new Set([...valid.set].filter((x) => listed.has(x))) };
      if (!next.any && next.set.size === 0) {
        emptiedAt = `${what(cert, i)}, whose policies (${p.policies.join(', ')}) do not match those above it,`;
        next = undefined;
      }
      valid = next;
      if (i !== 0 && valid && p.mappings.length > 0) {
        if (policyMapping > 0) {
          if (p.mappings.some((m) => m.issuer === ANY_POLICY || m.subject === ANY_POLICY)) {
            return {
              reason: `CA ${name(cert.node)} maps anyPolicy in its policyMappings, which Go 1.24 and later (kubelet) refuse`,
            };
          }
          const mapped: Set<string> = new Set<string>(valid.set);
          for (const m of p.mappings) {
            if (valid.any || valid.set.has(m.issuer)) {
              mapped.delete(m.issuer);
              mapped.add(m.subject);
            }
          }
          valid = { any: valid.any, set: mapped };
        } else {
          const kept: Set<string> = new Set(
            [...valid.set].filter((x) => !p.mappings.some((m) => m.issuer === x)),
          );
          valid = valid.any || kept.size > 0 ? { any: valid.any, set: kept } : undefined;
        }
      }
    }
    if (i !== 0) {
      if (!selfIssued(cert)) {
        if (explicitPolicy > 0) explicitPolicy--;
        if (policyMapping > 0) policyMapping--;
        if (inhibitAnyPolicy > 0) inhibitAnyPolicy--;
      }
      if (p.requireExplicitPolicy !== undefined && p.requireExplicitPolicy < explicitPolicy) {
        explicitPolicy = p.requireExplicitPolicy;
        requiredBy = `CA ${name(cert.node)}`;
      }
      if (p.inhibitPolicyMapping !== undefined && p.inhibitPolicyMapping < policyMapping) {
        policyMapping = p.inhibitPolicyMapping;
      }
      if (p.inhibitAnyPolicy !== undefined && p.inhibitAnyPolicy < inhibitAnyPolicy) {
        inhibitAnyPolicy = p.inhibitAnyPolicy;
      }
    }
  }
  const leaf = chain[0] as GoCertificate;
  if (explicitPolicy > 0 && !selfIssued(leaf)) explicitPolicy--;
  if (leaf.policy.requireExplicitPolicy === 0) {
    explicitPolicy = 0;
    requiredBy ||= `certificate ${name(leaf.node)}`;
  }
  if (explicitPolicy === 0 && (!valid || (!valid.any && valid.set.size === 0))) return fail();
  return undefined;
}
