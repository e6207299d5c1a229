import type { ApiLoadBalancerSpec, ClusterSpec } from './spec.ts';

/**
 * What the next `kops update cluster` changes in the fields the foresight judges: the API load
 * balancer's class, type, sslCertificate and useForInternalApi in `config` against the applied
 * `cluster-completed.spec` (pure). `class` and `type` count only when `config` sets them: the
 * completed spec fills in kops' defaults.
 */
export interface PendingChange {
  field: 'class' | 'type' | 'sslCertificate' | 'useForInternalApi';
  /** As in the spec the next update applies (`config`); undefined when unset. */
  spec?: string | boolean;
  /** As applied (`cluster-completed.spec`); undefined when unset. */
  applied?: string | boolean;
}

const DEFAULTED = ['class', 'type'] as const;

export function pendingChanges(spec: ClusterSpec, applied: ClusterSpec | undefined): PendingChange[] {
  if (!applied) return [];
  const a: Partial<ApiLoadBalancerSpec> = applied.apiLoadBalancer ?? {};
  const s: Partial<ApiLoadBalancerSpec> = spec.apiLoadBalancer ?? {};
  const out: PendingChange[] = [];
  for (const field of DEFAULTED) {
    if (s[field] !== undefined && s[field] !== a[field]) out.push(change(field, s[field], a[field]));
  }
  if (s.sslCertificate !== a.sslCertificate)
    out.push(change('sslCertificate', s.sslCertificate, a.sslCertificate));
  const internal = s.useForInternalApi === true;
  if (internal !== (a.useForInternalApi === true)) {
    out.push({ field: 'useForInternalApi', spec: internal, applied: !internal });
  }
  return out;
}

function change(field: PendingChange['field'], spec?: string, applied?: string): PendingChange {
  return { field, ...(spec !== undefined ? { spec } : {}), ...(applied !== undefined ? { applied } : {}) };
}

/** `useForInternalApi: false → true, sslCertificate: (unset) → arn:…`, for messages. */
export function describeChanges(changes: readonly PendingChange[]): string {
  const show = (v: string | boolean | undefined) => (v === undefined ? '(unset)' : String(v));
  return changes.map((c) => `${c.field}: ${show(c.applied)} → ${show(c.spec)}`).join(', ');
}
