import type { ClusterConfig } from '../config/schema.ts';
import { atPlace } from '../findings/address-resource.ts';
import { type InstanceFacts, probeAddressOf } from '../observe/instances.ts';
import type { LbState } from '../observe/lb-state.ts';
import type { ProbeTarget } from '../tls/probe.ts';
import { type PlaceAddress, UNKNOWN_ZONE } from './zones.ts';

/** A probe as planned: a DNS name (`resolve`) stands for every address it resolves to. */
export interface PlannedTarget extends ProbeTarget {
  /** `host` is a DNS name: probe each of its addresses (A and AAAA), each in its zone. */
  resolve?: true;
}

/**
 * Pure: the probes of a verification. The API name on `api.hostnamePort` (what nodes dial,
 * whatever port the load balancer listens on), each load balancer's DNS name on `api.port`, and
 * each registered instance on `api.instancePort`, at its private IPv4 address or, when it has
 * none (an IPv6-only subnet), its IPv6 address (dialled only with `verifier.ipv6`: resolveTargets).
 */
export function probeTargets(
  cluster: ClusterConfig,
  facts: readonly LbState[],
  instances: ReadonlyMap<string, InstanceFacts>,
): PlannedTarget[] {
  const { hostname, port, hostnamePort, instancePort, probeHostname } = cluster.api;
  // first the name kubelet dials, resolved from where the verifier runs (the node subnets)
  const targets: PlannedTarget[] = probeHostname
    ? [
        {
          resource: `dns/${hostname}`,
          host: hostname,
          port: hostnamePort,
          servername: hostname,
          resolve: true,
        },
      ]
    : [];
  for (const lb of facts) {
    for (const fe of lb.frontends) {
      if (!fe.dnsName) continue;
      const resource = lb.frontends.length > 1 ? `${lb.label}:${fe.name}` : lb.label;
      targets.push({ resource, host: fe.dnsName, port, servername: hostname, resolve: true });
    }
  }
  for (const [id, i] of instances) {
    const address = probeAddressOf(i);
    if (address) targets.push({ resource: id, host: address, port: instancePort, servername: hostname });
  }
  return targets;
}

/**
 * Pure: one probe per address of a name, each with SNI and verification still on the API
 * hostname and labelled with its zone. When the addresses span several zones, each zone is its own
 * resource (`<resource>@<zone>`; the address stands in for an unknown zone), so a zone whose path
 * fails is named and never hidden behind the others, and its alert keeps its key when the
 * addresses rotate. Addresses in the same zone share the resource (tlsFindings folds them into one
 * finding). A name whose addresses all sit in one place keeps its plain resource.
 */
export function addressTargets(
  target: ProbeTarget,
  addresses: readonly string[],
  place: PlaceAddress,
): ProbeTarget[] {
  const placed = addresses.map((address) => {
    const { zone } = place(address);
    return { address, zone, key: zone === UNKNOWN_ZONE ? address : zone };
  });
  const several = new Set(placed.map((p) => p.key)).size > 1;
  return placed.map(({ address, zone, key }) => ({
    resource: several ? atPlace(target.resource, key) : target.resource,
    host: address,
    port: target.port,
    servername: target.servername,
    name: target.host,
    zone,
  }));
}
