import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Log } from '../../../functions/core/log.ts';
import { parseConnectTo } from '../../../functions/core/tls/probe.ts';
import { resolveTargets } from '../../../functions/core/verify/resolve-targets.ts';
import type { PlannedTarget } from '../../../functions/core/verify/targets.ts';
import { addressPlacer } from '../../../functions/core/verify/zones.ts';

const HOST = 'api.internal.k8s.example.com';
const NLB = 'k8s-api-internal-nlb.elb.example';
const name = (resource: string, host: string): PlannedTarget => ({
  resource,
  host,
  port: 443,
  servername: HOST,
  resolve: true,
});
const instance: PlannedTarget = {
  resource: 'i-0123456789abcdef0',
  host: '10.0.1.5',
  port: 443,
  servername: HOST,
};

/** Knows the given names (anything else: ENOTFOUND); records what it was asked. */
function lookupOf(names: Record<string, string[]>, asked: string[]): LookupFunction {
  return (hostname, _options, callback) => {
    asked.push(hostname);
    const addresses = names[hostname];
    if (!addresses) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
}

function recordingLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return { debug() {}, info() {}, error() {}, warn: (m) => warnings.push(m), warnings };
}

const placer = addressPlacer([
  { subnetId: 'subnet-a', zone: 'eu-west-1a', cidrs: ['10.0.1.0/24'] },
  { subnetId: 'subnet-b', zone: 'eu-west-1b', cidrs: ['10.0.2.0/24'] },
]);

describe('resolveTargets', () => {
  it('expands each name into its addresses with zones, asks for the subnets once, leaves instances alone', async () => {
    const asked: string[] = [];
    let placerCalls = 0;
    const { targets: out } = await resolveTargets(
      [name(`dns/${HOST}`, HOST), name('targetgroup/tg/1', NLB), instance],
      {
        timeoutMs: 1000,
        ipv6: true,
        lookup: lookupOf({ [HOST]: ['10.0.1.10', '10.0.2.10'], [NLB]: ['10.0.1.10', '10.0.2.10'] }, asked),
        placer: async () => {
          placerCalls++;
          return placer;
        },
        log: recordingLog(),
      },
    );
    expect(out.map((t) => `${t.resource} ${t.host} ${t.zone ?? '-'} ${t.name ?? '-'}`)).toEqual([
      `dns/${HOST}@eu-west-1a 10.0.1.10 eu-west-1a ${HOST}`,
      `dns/${HOST}@eu-west-1b 10.0.2.10 eu-west-1b ${HOST}`,
      `targetgroup/tg/1@eu-west-1a 10.0.1.10 eu-west-1a ${NLB}`,
      `targetgroup/tg/1@eu-west-1b 10.0.2.10 eu-west-1b ${NLB}`,
      'i-0123456789abcdef0 10.0.1.5 - -',
    ]);
    expect(out.some((t) => 'resolve' in t)).toBe(false);
    expect(placerCalls).toBe(1);
    expect(asked.sort()).toEqual([HOST, NLB].sort());
  });

  it('a name a --connect-to rule matches (also a rule for any host) is not resolved, and no subnets are read', async () => {
    const asked: string[] = [];
    for (const rule of [`${HOST}:443:127.0.0.1:9443`, '::127.0.0.1:9443']) {
      const { targets: out } = await resolveTargets([name(`dns/${HOST}`, HOST)], {
        timeoutMs: 1000,
        ipv6: true,
        connectTo: [parseConnectTo(rule)],
        lookup: lookupOf({ [HOST]: ['10.0.1.10', '10.0.2.10'] }, asked),
        placer: () => Promise.reject(new Error('not to be asked')),
        log: recordingLog(),
      });
      expect(out).toEqual([{ resource: `dns/${HOST}`, host: HOST, port: 443, servername: HOST }]);
    }
    expect(asked).toEqual([]);
  });

  it('a name that does not resolve stays one probe of the name (its handshake says why)', async () => {
    const { targets: out } = await resolveTargets([name(`dns/${HOST}`, HOST)], {
      timeoutMs: 1000,
      ipv6: true,
      lookup: lookupOf({}, []),
      placer: async () => placer,
      log: recordingLog(),
    });
    expect(out).toEqual([{ resource: `dns/${HOST}`, host: HOST, port: 443, servername: HOST }]);
  });

  it('subnets that cannot be read leave every address in "unknown zone", with a warning; too many addresses warn too', async () => {
    const log = recordingLog();
    const many = Array.from({ length: 18 }, (_, i) => `10.0.1.${i + 1}`);
    const { targets: out } = await resolveTargets([name(`dns/${HOST}`, HOST)], {
      timeoutMs: 1000,
      ipv6: true,
      lookup: lookupOf({ [HOST]: many }, []),
      placer: () => Promise.reject(new Error('UnauthorizedOperation: ec2:DescribeSubnets')),
      log,
    });
    expect(out).toHaveLength(16);
    expect(new Set(out.map((t) => t.zone))).toEqual(new Set(['unknown zone']));
    expect(log.warnings.sort()).toEqual(
      ['more addresses than are probed', 'zones unknown: the VPC subnets could not be read'].sort(),
    );
  });

  describe('verifier.ipv6', () => {
    const dual = addressPlacer([
      { subnetId: 'subnet-a', zone: 'eu-west-1a', cidrs: ['10.0.1.0/24', 'fd00:ec2:0:a::/64'] },
      { subnetId: 'subnet-b', zone: 'eu-west-1b', cidrs: ['10.0.2.0/24', 'fd00:ec2:0:b::/64'] },
    ]);
    const names = {
      [NLB]: ['10.0.1.10', 'fd00:ec2:0:a::10', '10.0.2.10', 'fd00:ec2:0:b::10'],
      [HOST]: ['fd00:ec2:0:a::20', 'fd00:ec2:0:b::20'],
    };
    const v6Instance: PlannedTarget = {
      ...instance,
      resource: 'i-0000000000000000b',
      host: 'fd00:ec2:0:a::5',
    };
    const run = (ipv6: boolean) =>
      resolveTargets([name('targetgroup/tg/1', NLB), name(`dns/${HOST}`, HOST), instance, v6Instance], {
        timeoutMs: 1000,
        ipv6,
        lookup: lookupOf(names, []),
        placer: async () => dual,
        log: recordingLog(),
      });

    it("on: every A and AAAA address is probed, an address pair of one zone shares that zone's resource", async () => {
      const { targets, ipv6Only } = await run(true);
      expect(targets.map((t) => `${t.resource} ${t.host}`)).toEqual([
        'targetgroup/tg/1@eu-west-1a 10.0.1.10',
        'targetgroup/tg/1@eu-west-1a fd00:ec2:0:a::10',
        'targetgroup/tg/1@eu-west-1b 10.0.2.10',
        'targetgroup/tg/1@eu-west-1b fd00:ec2:0:b::10',
        `dns/${HOST}@eu-west-1a fd00:ec2:0:a::20`,
        `dns/${HOST}@eu-west-1b fd00:ec2:0:b::20`,
        'i-0123456789abcdef0 10.0.1.5',
        'i-0000000000000000b fd00:ec2:0:a::5',
      ]);
      expect(ipv6Only).toEqual([]);
    });

    it('off: AAAA addresses are not dialled; a name or an instance with IPv6 only is returned as not probed', async () => {
      const { targets, ipv6Only } = await run(false);
      expect(targets.map((t) => `${t.resource} ${t.host}`)).toEqual([
        'targetgroup/tg/1@eu-west-1a 10.0.1.10',
        'targetgroup/tg/1@eu-west-1b 10.0.2.10',
        'i-0123456789abcdef0 10.0.1.5',
      ]);
      expect(ipv6Only).toEqual([
        { resource: `dns/${HOST}`, name: HOST, addresses: ['fd00:ec2:0:a::20', 'fd00:ec2:0:b::20'] },
        { resource: 'i-0000000000000000b', addresses: ['fd00:ec2:0:a::5'] },
      ]);
    });
  });
});
