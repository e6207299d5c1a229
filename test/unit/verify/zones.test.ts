import { describe, expect, it } from 'vitest';
import type { SubnetRange } from '../../../functions/core/observe/subnets.ts';
import { addressPlacer, UNKNOWN_ZONE } from '../../../functions/core/verify/zones.ts';

const SUBNETS: SubnetRange[] = [
  { subnetId: 'subnet-0000000a', zone: 'eu-west-1a', cidrs: ['10.0.1.0/24', '2600:1f18:aa:a::/64'] },
  { subnetId: 'subnet-0000000b', zone: 'eu-west-1b', cidrs: ['10.0.2.0/24'] },
  { subnetId: 'subnet-0000000c', zone: 'eu-west-1c', cidrs: ['10.0.3.0/24', '2600:1f18:aa:c::/64'] },
  // a wide block around the others: the most specific block wins
  { subnetId: 'subnet-000000ff', zone: 'eu-west-1z', cidrs: ['10.0.0.0/16'] },
];

describe('addressPlacer: address → availability zone from the VPC subnets', () => {
  const place = addressPlacer(SUBNETS);

  it.each([
    ['10.0.1.10', 'eu-west-1a', 'subnet-0000000a'],
    ['10.0.2.10', 'eu-west-1b', 'subnet-0000000b'],
    ['10.0.3.255', 'eu-west-1c', 'subnet-0000000c'],
    ['10.0.9.1', 'eu-west-1z', 'subnet-000000ff'],
    ['2600:1f18:aa:a::10', 'eu-west-1a', 'subnet-0000000a'],
    ['2600:1f18:aa:c:1234:5678:9abc:def0', 'eu-west-1c', 'subnet-0000000c'],
  ])('%s is in %s', (address, zone, subnetId) => {
    expect(place(address)).toEqual({ zone, subnetId });
  });

  it.each([
    ['an IPv4 address no subnet holds', '10.1.0.1'],
    ['an IPv6 address no subnet holds', '2600:1f18:aa:b::1'],
    ['not an address', 'api.internal.k8s.example.com'],
  ])('%s is in "unknown zone"', (_what, address) => {
    expect(place(address)).toEqual({ zone: UNKNOWN_ZONE });
  });

  it('skips CIDR blocks it cannot read, and places nothing without subnets', () => {
    const odd = addressPlacer([
      { subnetId: 'subnet-1', zone: 'eu-west-1a', cidrs: ['10.0.1.0', '10.0.1.0/99', 'x/8'] },
    ]);
    expect(odd('10.0.1.1')).toEqual({ zone: UNKNOWN_ZONE });
    expect(addressPlacer([])('10.0.1.1')).toEqual({ zone: UNKNOWN_ZONE });
  });

  it('never takes an IPv4 block for an IPv6 address or the other way round', () => {
    const v4only = addressPlacer([{ subnetId: 'subnet-1', zone: 'eu-west-1a', cidrs: ['0.0.0.0/0'] }]);
    expect(v4only('::ffff:10.0.1.1').zone).toBe(UNKNOWN_ZONE);
    expect(v4only('10.0.1.1').zone).toBe('eu-west-1a');
  });
});
