import { BlockList, isIP } from 'node:net';
import type { SubnetRange } from '../observe/subnets.ts';

/** What an address is labelled with when no subnet of the VPC holds it. */
export const UNKNOWN_ZONE = 'unknown zone';

/** Where an address sits: the availability zone and subnet that hold it, as AWS reports them. */
export interface Placement {
  zone: string;
  subnetId?: string;
}

export type PlaceAddress = (address: string) => Placement;

/** A subnet's CIDR as BlockList takes it; undefined for anything that is not `address/prefix`. */
function cidrOf(cidr: string): { net: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [net = '', bits = ''] = cidr.split('/');
  const family = isIP(net);
  const prefix = Number(bits);
  if (family === 0 || !/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return undefined;
  return { net, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * Pure: maps an address to the zone of the subnet whose IPv4 or IPv6 CIDR block holds it (the
 * most specific block wins), or UNKNOWN_ZONE when none does.
 */
export function addressPlacer(subnets: readonly SubnetRange[]): PlaceAddress {
  const ranges = subnets.flatMap((s) =>
    s.cidrs.flatMap((c) => {
      const cidr = cidrOf(c);
      if (!cidr) return [];
      const list = new BlockList();
      list.addSubnet(cidr.net, cidr.prefix, cidr.family);
      return [{ subnet: s, list, family: cidr.family, prefix: cidr.prefix }];
    }),
  );
  ranges.sort((a, b) => b.prefix - a.prefix);
  return (address) => {
    const family = isIP(address);
    if (family === 0) return { zone: UNKNOWN_ZONE };
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const hit = ranges.find((r) => r.family === type && r.list.check(address, type));
    return hit ? { zone: hit.subnet.zone, subnetId: hit.subnet.subnetId } : { zone: UNKNOWN_ZONE };
  };
}
