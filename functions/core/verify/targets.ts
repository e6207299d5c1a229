import type { ClusterConfig } from '../config/schema.ts';
import { atAddress } from '../findings/address-resource.ts';
import { type InstanceFacts, probeAddressOf } from '../observe/instances.ts';
import type { LbState } from '../observe/lb-state.ts';
import type { ProbeTarget } from '../tls/probe.ts';
import type { PlaceAddress } from './zones.ts';

/** A probe as planned: a DNS name (`resolve`) stands for every address it resolves to. */
export interface PlannedTarget extends ProbeTarget {
  /** `host` is a DNS name: probe each of its addresses (A and AAAA), each in its zone. */
  resolve?: true;
}

/**
 * Pure: the probes of a verification. The API name on `api.hostnamePort` (what nodes dial,
 * whatever port the load balancer listens on), each load balancer's DNS name on `api.port`, and
 * each registered instance on `api.instancePort`, at its private IPv4 address or, when it has
 * none (an IPv6-only subnet), its IPv6 address.
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
 * hostname and labelled with its zone. A name with one address keeps its resource (its alerts
 * keep their keys); with several, each address is its own resource (`<resource>@<address>`), so
 * a zone whose address fails is named and never hidden behind the others.
 */
export function addressTargets(
  target: ProbeTarget,
  addresses: readonly string[],
  place: PlaceAddress,
): ProbeTarget[] {
  return addresses.map((address) => ({
    resource: addresses.length > 1 ? atAddress(target.resource, address) : target.resource,
    host: address,
    port: target.port,
    servername: target.servername,
    name: target.host,
    zone: place(address).zone,
  }));
}
