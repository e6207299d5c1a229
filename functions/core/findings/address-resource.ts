/**
 * The resource of a probe of one address of a name: `<resource>@<address>` (e.g.
 * `dns/api.internal.k8s.example.com@10.0.2.10`, `elb/k8s-api-internal@10.0.1.10`). A name with a
 * single address keeps its plain resource, so its alerts keep their keys.
 */
export function atAddress(resource: string, address: string): string {
  return `${resource}@${address}`;
}

/** The resource a per-address resource belongs to (`elb/x@10.0.1.10` → `elb/x`). */
export function withoutAddress(resource: string): string {
  const at = resource.indexOf('@');
  return at === -1 ? resource : resource.slice(0, at);
}
