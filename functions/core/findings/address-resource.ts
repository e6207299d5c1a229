/**
 * The resource of the probes of a name in one place: `<resource>@<zone>` (e.g.
 * `dns/api.internal.k8s.example.com@eu-west-1b`, `elb/k8s-api-internal@eu-west-1a`), or
 * `<resource>@<address>` when no subnet of the VPC holds the address. Keyed on the zone, so an
 * alert keeps its key when a load balancer's addresses rotate. A name whose addresses all sit in
 * one place keeps its plain resource.
 */
export function atPlace(resource: string, place: string): string {
  return `${resource}@${place}`;
}

/** The resource a per-zone (or per-address) resource belongs to (`elb/x@eu-west-1a` → `elb/x`). */
export function withoutPlace(resource: string): string {
  const at = resource.indexOf('@');
  return at === -1 ? resource : resource.slice(0, at);
}
