import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config/load.ts';
import type { InstanceFacts } from '../../../functions/core/observe/instances.ts';
import type { LbState } from '../../../functions/core/observe/lb-state.ts';
import { addressTargets, probeTargets } from '../../../functions/core/verify/targets.ts';
import { addressPlacer } from '../../../functions/core/verify/zones.ts';

const HOST = 'api.internal.k8s.example.com';

function cluster(api: Record<string, unknown> = {}) {
  const config = parseConfig(
    {
      clusters: [
        {
          name: 'k8s.example.com',
          account: '123456789012',
          region: 'eu-west-1',
          vpcId: 'vpc-0123456789abcdef0',
          nodeSubnetIds: ['subnet-0123456789abcdef0'],
          nodeSecurityGroupId: 'sg-0123456789abcdef0',
          loadBalancers: { classic: ['k8s-api-internal'] },
          api,
        },
      ],
    },
    'targets test',
  );
  const [c] = config.clusters;
  if (!c) throw new Error('no cluster');
  return c;
}

const lb = (label: string, frontends: { name: string; dnsName: string }[]): LbState =>
  ({ label, frontends: frontends.map((f) => ({ ...f, listener: {} })) }) as unknown as LbState;

const instance = (
  id: string,
  addresses: Pick<InstanceFacts, 'privateIp' | 'ipv6'>,
): [string, InstanceFacts] => [id, { instanceId: id, state: 'running', tags: new Map(), ...addresses }];

describe('probeTargets', () => {
  it('dials the API name on api.hostnamePort, the load balancers on api.port, the instances on api.instancePort', () => {
    const targets = probeTargets(
      cluster({ port: 8443, instancePort: 6443 }),
      [lb('elb/k8s-api-internal', [{ name: 'k8s-api-internal', dnsName: 'internal-k8s.elb.example' }])],
      new Map([instance('i-0123456789abcdef0', { privateIp: '10.0.1.5' })]),
    );
    expect(targets).toEqual([
      { resource: `dns/${HOST}`, host: HOST, port: 443, servername: HOST, resolve: true },
      {
        resource: 'elb/k8s-api-internal',
        host: 'internal-k8s.elb.example',
        port: 8443,
        servername: HOST,
        resolve: true,
      },
      { resource: 'i-0123456789abcdef0', host: '10.0.1.5', port: 6443, servername: HOST },
    ]);
  });

  it('follows api.hostnamePort when it is set, and names each frontend of a shared target group', () => {
    const targets = probeTargets(
      cluster({ hostnamePort: 6443 }),
      [
        lb('targetgroup/tg/0123', [
          { name: 'nlb-a', dnsName: 'a.elb.example' },
          { name: 'nlb-b', dnsName: 'b.elb.example' },
        ]),
      ],
      new Map(),
    );
    expect(targets.map((t) => `${t.resource} ${t.host}:${t.port}`)).toEqual([
      `dns/${HOST} ${HOST}:6443`,
      'targetgroup/tg/0123:nlb-a a.elb.example:443',
      'targetgroup/tg/0123:nlb-b b.elb.example:443',
    ]);
  });

  it('probes an instance without an IPv4 address on its IPv6 address; one with neither is not probed', () => {
    const targets = probeTargets(
      cluster({ probeHostname: false }),
      [],
      new Map([
        instance('i-00000000000000001', { ipv6: '2600:1f18:aa:a::10' }),
        instance('i-00000000000000002', { privateIp: '10.0.1.6', ipv6: '2600:1f18:aa:a::11' }),
        instance('i-00000000000000003', {}),
      ]),
    );
    expect(targets.map((t) => `${t.resource} ${t.host}`)).toEqual([
      'i-00000000000000001 2600:1f18:aa:a::10',
      'i-00000000000000002 10.0.1.6',
    ]);
    expect(targets.some((t) => 'resolve' in t)).toBe(false);
  });
});

describe('addressTargets', () => {
  const place = addressPlacer([
    { subnetId: 'subnet-a', zone: 'eu-west-1a', cidrs: ['10.0.1.0/24'] },
    { subnetId: 'subnet-b', zone: 'eu-west-1b', cidrs: ['10.0.2.0/24', 'fd00:ec2:0:b::/64'] },
  ]);
  const name = { resource: `dns/${HOST}`, host: HOST, port: 443, servername: HOST };

  it('one probe per address, keyed on its zone (the address only in an unknown zone), SNI on the API hostname', () => {
    expect(addressTargets(name, ['10.0.1.10', 'fd00:ec2:0:b::10', '10.0.9.9'], place)).toEqual([
      {
        resource: `dns/${HOST}@eu-west-1a`,
        host: '10.0.1.10',
        port: 443,
        servername: HOST,
        name: HOST,
        zone: 'eu-west-1a',
      },
      {
        resource: `dns/${HOST}@eu-west-1b`,
        host: 'fd00:ec2:0:b::10',
        port: 443,
        servername: HOST,
        name: HOST,
        zone: 'eu-west-1b',
      },
      {
        resource: `dns/${HOST}@10.0.9.9`,
        host: '10.0.9.9',
        port: 443,
        servername: HOST,
        name: HOST,
        zone: 'unknown zone',
      },
    ]);
  });

  it('the key is the zone, so a rotated address or a second address in a zone keeps it', () => {
    const keys = (addresses: string[]) => addressTargets(name, addresses, place).map((t) => t.resource);
    expect(keys(['10.0.1.10', '10.0.2.10'])).toEqual([`dns/${HOST}@eu-west-1a`, `dns/${HOST}@eu-west-1b`]);
    expect(keys(['10.0.1.77', '10.0.2.10'])).toEqual([`dns/${HOST}@eu-west-1a`, `dns/${HOST}@eu-west-1b`]);
    expect(keys(['10.0.1.10', '10.0.1.11', '10.0.2.10'])).toEqual([
      `dns/${HOST}@eu-west-1a`,
      `dns/${HOST}@eu-west-1a`,
      `dns/${HOST}@eu-west-1b`,
    ]);
  });

  it('a name whose addresses all sit in one zone keeps its plain resource (2 → 1 addresses keeps the key)', () => {
    const keys = (addresses: string[]) => addressTargets(name, addresses, place).map((t) => t.resource);
    expect(keys(['10.0.1.10', '10.0.1.11'])).toEqual([`dns/${HOST}`, `dns/${HOST}`]);
    expect(keys(['10.0.1.11'])).toEqual([`dns/${HOST}`]);
  });

  it('a name with one address keeps its resource (its alerts keep their keys)', () => {
    expect(addressTargets(name, ['10.0.2.10'], place)).toEqual([
      {
        resource: `dns/${HOST}`,
        host: '10.0.2.10',
        port: 443,
        servername: HOST,
        name: HOST,
        zone: 'eu-west-1b',
      },
    ]);
  });
});
