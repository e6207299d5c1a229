import type { ClusterConfig } from '../config/schema.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import type { ApiListener, ApiReadFailure } from './api-listeners.ts';
import { describeChanges, type PendingChange } from './pending.ts';
import type { ApiLoadBalancerSpec } from './spec.ts';

/**
 * Where the spec sends nodes (pure): `useForInternalApi: true` with an ACM certificate, or kops'
 * API load balancer terminating TLS on the port nodes dial. Judged on the spec the next
 * `kops update cluster` applies; a value not applied yet is said so.
 */
export interface InternalApiInput {
  cluster: ClusterConfig;
  /** `spec.api.loadBalancer` of the judged spec. */
  lb: ApiLoadBalancerSpec | undefined;
  specKey: string;
  /** Fields the next update changes (pending.ts). */
  pending: readonly PendingChange[];
  apiListeners?: readonly ApiListener[] | undefined;
  apiListenerFailures?: readonly ApiReadFailure[] | undefined;
}

/** Listener protocols that terminate TLS at the load balancer (classic SSL/HTTPS, NLB TLS, ALB HTTPS). */
const TERMINATING = new Set(['SSL', 'HTTPS', 'TLS']);
const API_RESOURCE = 'kops/api.loadBalancer';
/** The exact YAML that keeps nodes off kops' API load balancer (kops edit cluster). */
export const INTERNAL_API_OFF_YAML = 'spec:\n  api:\n    loadBalancer:\n      useForInternalApi: false';
const FIX =
  'Set `spec: { api: { loadBalancer: { useForInternalApi: false } } }` with `kops edit cluster` ' +
  '(details.yamlToAdd quotes it as block YAML), then `kops update cluster --yes`';

/** " (set in the spec, not applied yet: …)" when the judged fields differ from the applied spec. */
function notAppliedNote(pending: readonly PendingChange[]): string {
  const relevant = pending.filter((p) => p.field === 'useForInternalApi' || p.field === 'sslCertificate');
  return relevant.length
    ? ` (set in the spec, not applied yet: ${describeChanges(relevant)} at the next \`kops update cluster --yes\`)`
    : '';
}

export function internalApiFindings(input: InternalApiInput): Finding[] {
  const c = input.cluster.name;
  const out: Finding[] = [];
  for (const f of input.apiListenerFailures ?? []) {
    out.push(
      finding('KOPS_API_LB_UNREADABLE', {
        cluster: c,
        resource: `kops-api/${f.resource}`,
        expected: "kops' API load balancer and its listeners, readable",
        actual: `${f.call} on ${f.resource} failed: ${f.reason}`,
        message: `cannot tell whether kops' API load balancer terminates TLS where nodes dial: ${f.call} on ${f.resource} failed: ${f.reason}`,
        details: { call: f.call, resource: f.resource },
      }),
    );
  }
  const lb = input.lb;
  if (!lb?.useForInternalApi) return out;
  const expected = 'nodes reach the apiserver certificate signed by the kops CA';
  const note = notAppliedNote(input.pending);
  const pending = note ? { notApplied: describeChanges(input.pending) } : {};
  const details = { specKey: input.specKey, yamlToAdd: INTERNAL_API_OFF_YAML, ...pending };
  if (lb.sslCertificate) {
    out.push(
      finding('KOPS_INTERNAL_API_ACM', {
        cluster: c,
        resource: API_RESOURCE,
        expected,
        actual: `useForInternalApi: true with sslCertificate ${lb.sslCertificate} in ${input.specKey}${note}`,
        message:
          `spec.api.loadBalancer has useForInternalApi: true and an sslCertificate${note}: nodes are sent through a listener ` +
          `that presents a certificate the kops CA did not sign. ${FIX}`,
        details: { ...details, sslCertificate: lb.sslCertificate },
      }),
    );
  }
  const port = input.cluster.api.hostnamePort;
  for (const l of input.apiListeners ?? []) {
    if (l.port !== port || !TERMINATING.has(l.protocol)) continue;
    out.push(
      finding('KOPS_INTERNAL_API_TLS_LISTENER', {
        cluster: c,
        resource: `kops-api/${l.loadBalancer}:${l.port}`,
        expected,
        actual: `${l.protocol}:${l.port} with ${l.certificateArn ?? 'a certificate'}; useForInternalApi: true in ${input.specKey}${note}`,
        message:
          `kops' API load balancer ${l.loadBalancer} terminates TLS (${l.protocol}:${l.port}) and useForInternalApi: true${note} sends nodes to it: ` +
          `nodes are sent through a listener that presents a certificate the kops CA did not sign. ${FIX}`,
        details: { ...details, ...(l.certificateArn ? { certificateArn: l.certificateArn } : {}) },
      }),
    );
  }
  return out;
}
