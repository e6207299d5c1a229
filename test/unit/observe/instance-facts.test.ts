import { describe, expect, it } from 'vitest';
import { instanceFactsOf, probeAddressOf } from '../../../functions/core/observe/instances.ts';

const ID = 'i-0123456789abcdef0';

describe('instanceFactsOf: the addresses an instance is probed on', () => {
  it('keeps the private IPv4 address and the instance IPv6 address', () => {
    const facts = instanceFactsOf({
      InstanceId: ID,
      State: { Name: 'running' },
      PrivateIpAddress: '10.0.1.5',
      Ipv6Address: '2600:1f18:aa:a::5',
    });
    expect(facts).toMatchObject({
      instanceId: ID,
      state: 'running',
      privateIp: '10.0.1.5',
      ipv6: '2600:1f18:aa:a::5',
    });
  });

  it('an IPv6-only instance: no privateIp, the primary interface primary IPv6 address', () => {
    const facts = instanceFactsOf({
      InstanceId: ID,
      NetworkInterfaces: [
        { Attachment: { DeviceIndex: 1 }, Ipv6Addresses: [{ Ipv6Address: '2600:1f18:aa:b::99' }] },
        {
          Attachment: { DeviceIndex: 0 },
          Ipv6Addresses: [
            { Ipv6Address: '2600:1f18:aa:a::7' },
            { Ipv6Address: '2600:1f18:aa:a::6', IsPrimaryIpv6: true },
          ],
        },
      ],
    });
    expect(facts.privateIp).toBeUndefined();
    expect(facts.ipv6).toBe('2600:1f18:aa:a::6');
  });

  it('no address at all: neither', () => {
    const facts = instanceFactsOf({ InstanceId: ID, NetworkInterfaces: [{ Ipv6Addresses: [] }] });
    expect(facts).toEqual({ instanceId: ID, state: 'unknown', tags: new Map() });
  });
});

describe('probeAddressOf: what the verifier and a follow-up dial', () => {
  it('the private IPv4 address, else the IPv6 address, else nothing', () => {
    expect(probeAddressOf({ privateIp: '10.0.1.5', ipv6: 'fd00::5' })).toBe('10.0.1.5');
    expect(probeAddressOf({ ipv6: 'fd00::5' })).toBe('fd00::5');
    expect(probeAddressOf({})).toBeUndefined();
  });
});
