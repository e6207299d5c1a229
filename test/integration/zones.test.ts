import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  AssociateSubnetCidrBlockCommand,
  DescribeInstancesCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { parsePemBundle } from '../../functions/core/ca/bundle.ts';
import { parseConfig } from '../../functions/core/config/load.ts';
import { type Finding, isDrift } from '../../functions/core/findings/finding.ts';
import { silentLog } from '../../functions/core/log.ts';
import { type ConnectTo, parseConnectTo, probeAll, tlsFinding } from '../../functions/core/tls/probe.ts';
import { resolveTargets } from '../../functions/core/verify/resolve-targets.ts';
import { probeTargets } from '../../functions/core/verify/targets.ts';
import { ipv6NotProbed } from '../../functions/core/verify/tls-findings.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { createCa, issueServerCert, type TestCa } from '../../sandbox/pki.ts';
import { Endpoints, startTlsServer, type TlsEndpoint } from '../../sandbox/tls-servers.ts';
import { buildWorld, CLUSTER, type World } from '../../sandbox/world.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * Every zone's path: the API name and the NLB's name resolve (through an injected lookup, never
 * real DNS) to one address per zone, in the moto subnets of three zones; --connect-to rules send
 * each address to a real TLS server on a loopback address of its own (127.0.0.2-4, ::1). One
 * zone's server presents a chain kubelet refuses: exactly that zone gets the finding, keyed on the
 * zone (`<resource>@<zone>`) and naming the address. AAAA addresses are dialled only with
 * `verifier.ipv6`.
 */

const HOST = `api.internal.${CLUSTER}`;
const ZONE_SUBNET_IPV6 = '2600:1f18:aa:c::/64';
const moto = withMoto();
let clients = createAwsClients();
let world: World;
let kopsCa: TestCa;
const servers = new Endpoints();
/** One server per zone (a: 127.0.0.2, b: 127.0.0.3 presenting an ACM-like chain, c: 127.0.0.4), and c's IPv6 (::1). */
let zoneServers: { a: TlsEndpoint; b: TlsEndpoint; c: TlsEndpoint; c6: TlsEndpoint };
let good: TlsEndpoint;

beforeAll(async () => {
  kopsCa = await createCa('kubernetes-ca');
  const serving = await issueServerCert(kopsCa, { dns: [HOST, 'kubernetes'], ips: ['127.0.0.1'] });
  const acmCa = await createCa('Amazon RSA 2048 M02');
  const acm = await issueServerCert(acmCa, { dns: [`*.${CLUSTER}`, HOST] });
  const kops = (host: string) => startTlsServer({ cert: serving.certPem, key: serving.keyPem, host });
  zoneServers = {
    a: servers.add(await kops('127.0.0.2')),
    b: servers.add(await startTlsServer({ cert: acm.certPem, key: acm.keyPem, host: '127.0.0.3' })),
    c: servers.add(await kops('127.0.0.4')),
    c6: servers.add(await kops('::1')),
  };
  good = servers.add(await kops('127.0.0.1'));
});
afterAll(async () => {
  await servers.closeAll();
});
beforeEach(async () => {
  await moto().reset();
  clients = createAwsClients();
  world = await buildWorld(clients, {
    clusterConfig: { ca: { source: 'inline', pem: kopsCa.certPem }, tls: { timeoutSeconds: 2 } },
  });
});

/** The subnets of the world by zone, and the instance addresses moto handed out. */
async function network() {
  const subnets =
    (await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: world.subnetIds }))).Subnets ?? [];
  const byZone = new Map(subnets.map((s) => [s.AvailabilityZone ?? '', s]));
  const reservations = (await clients.ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
  const instanceIps = reservations.flatMap((r) => r.Instances ?? []).map((i) => i.PrivateIpAddress ?? '');
  return { byZone, instanceIps };
}

/** An address in the subnet's range (`172.20.N.0/19` → `172.20.N+1.x`) that no instance holds. */
function freeAddress(cidr: string, taken: readonly string[]): string {
  const [a, b, c] = cidr.split('/')[0]?.split('.') ?? [];
  for (let x = 10; x < 250; x++) {
    const ip = `${a}.${b}.${Number(c) + 1}.${x}`;
    if (!taken.includes(ip)) return ip;
  }
  throw new Error(`no free address in ${cidr}`);
}

async function lbNames(): Promise<{ classic: string; nlb: string }> {
  const classic = await clients.elb.send(
    new DescribeLoadBalancersCommand({ LoadBalancerNames: [world.lbs.classicName] }),
  );
  const nlb = await clients.elbv2.send(
    new elbv2.DescribeLoadBalancersCommand({ LoadBalancerArns: [world.lbs.nlbArn] }),
  );
  return {
    classic: classic.LoadBalancerDescriptions?.[0]?.DNSName ?? '',
    nlb: nlb.LoadBalancers?.[0]?.DNSName ?? '',
  };
}

/** A resolver that knows only the given names (anything else: ENOTFOUND); it honours `{ all: true }`. */
function lookupOf(names: Record<string, string[]>, asked: string[]): LookupFunction {
  return (hostname, options, callback) => {
    asked.push(hostname);
    const addresses = names[hostname];
    if (!addresses) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      callback(err, '', 0);
      return;
    }
    const all: LookupAddress[] = addresses.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    if ((options as { all?: boolean }).all) callback(null, all);
    else callback(null, all[0]?.address ?? '', all[0]?.family ?? 4);
  };
}

interface ThreeZones {
  /** zone → the address the names resolve to there. */
  address: Record<'a' | 'b' | 'c', string>;
  rules: ConnectTo[];
  lookup: LookupFunction;
  asked: string[];
}

/** The three-zone world: addresses per zone, rules to the zone servers, instances to a good server. */
async function threeZones(
  extra: Record<string, string[]> = {},
  extraRules: string[] = [],
): Promise<ThreeZones> {
  const { byZone, instanceIps } = await network();
  const cidr = (z: string) => byZone.get(z)?.CidrBlock ?? '';
  const address = {
    a: freeAddress(cidr('eu-west-1a'), instanceIps),
    b: freeAddress(cidr('eu-west-1b'), instanceIps),
    c: freeAddress(cidr('eu-west-1c'), instanceIps),
  };
  const names = await lbNames();
  const rules = [
    ...extraRules,
    `${address.a}:443:127.0.0.2:${zoneServers.a.port}`,
    `${address.b}:443:127.0.0.3:${zoneServers.b.port}`,
    `${address.c}:443:127.0.0.4:${zoneServers.c.port}`,
    // the classic load balancer is reached through a rule, unresolved, as before
    `${names.classic}:443:127.0.0.1:${good.port}`,
    ...instanceIps.map((ip) => `${ip}:443:127.0.0.1:${good.port}`),
  ].map(parseConnectTo);
  const asked: string[] = [];
  const zoneAddresses = [address.a, address.b, address.c];
  const lookup = lookupOf({ [HOST]: zoneAddresses, [names.nlb]: zoneAddresses, ...extra }, asked);
  return { address, rules, lookup, asked };
}

async function verify(z: Pick<ThreeZones, 'rules' | 'lookup'>, config = world.config, ipv6 = false) {
  const out = await verifyClusters(config.clusters, {
    clients,
    log: silentLog,
    connectTo: z.rules,
    lookup: z.lookup,
    newInstanceDeadlineMinutes: 0,
    ipv6,
  });
  const verdict = out.verdicts[0];
  if (!verdict) throw new Error('no verdict');
  const tls = verdict.findings.filter((f) => f.check === 'tls');
  return { verdict, tls, drift: verdict.findings.filter(isDrift) };
}

/** Gives zone c's subnet its IPv6 block; `v6` is an address in it, `names` the load balancers' names. */
async function dualStackZoneC(v6: string) {
  const c = world.subnetIds[2] ?? '';
  await clients.ec2.send(
    new AssociateSubnetCidrBlockCommand({ SubnetId: c, Ipv6CidrBlock: ZONE_SUBNET_IPV6 }),
  );
  return { v6, names: await lbNames() };
}

/** The target group's resource (`targetgroup/<name>/<id>`). */
const tgResource = () =>
  `targetgroup/${world.lbs.targetGroupArn
    .split(':')
    .pop()
    ?.replace(/^targetgroup\//, '')}`;

const line = (f: Finding) => `${f.code} ${f.resource} ${String(f.details?.zone)}`;

describe('every zone of the API name and of the load balancer', () => {
  it('one zone whose server presents a chain kubelet refuses: exactly that zone gets the finding, naming the address', async () => {
    const z = await threeZones();
    const { verdict, tls, drift } = await verify(z);
    const tg =
      world.lbs.targetGroupArn
        .split(':')
        .pop()
        ?.replace(/^targetgroup\//, '') ?? '';
    const nlbResource = `targetgroup/${tg}`;
    expect(drift.map(line).sort()).toEqual(
      [
        `TLS_UNTRUSTED_ISSUER dns/${HOST}@eu-west-1b eu-west-1b`,
        `TLS_UNTRUSTED_ISSUER ${nlbResource}@eu-west-1b eu-west-1b`,
      ].sort(),
    );
    expect(verdict.inSync).toBe(false);
    // the other zones pass, each keyed on its zone
    const passing = tls.filter((f) => f.code === 'TLS_OK' && f.resource.includes('@')).map(line);
    expect(passing.sort()).toEqual(
      [
        `TLS_OK dns/${HOST}@eu-west-1a eu-west-1a`,
        `TLS_OK dns/${HOST}@eu-west-1c eu-west-1c`,
        `TLS_OK ${nlbResource}@eu-west-1a eu-west-1a`,
        `TLS_OK ${nlbResource}@eu-west-1c eu-west-1c`,
      ].sort(),
    );
    const bad = drift[0];
    expect(bad?.message).toContain(`${z.address.b}:443 in eu-west-1b, an address of `);
    expect(bad?.message).toContain('via 127.0.0.3:');
    // SNI and verification stay on the API hostname for every address
    expect(zoneServers.b.servernames).toContain(HOST);
    expect(bad?.details).toMatchObject({ address: z.address.b, zone: 'eu-west-1b', servername: HOST });
    // the classic load balancer (through its rule) and the instances keep their one probe each
    expect(tls.filter((f) => f.resource === `elb/${world.lbs.classicName}`).map((f) => f.code)).toEqual([
      'TLS_OK',
    ]);
    expect(tls.filter((f) => /^i-/.test(f.resource)).map((f) => f.code)).toEqual([
      'TLS_OK',
      'TLS_OK',
      'TLS_OK',
    ]);
    // only the injected resolver was asked, and only for the names without a rule
    expect([...new Set(z.asked)].sort()).toEqual([HOST, (await lbNames()).nlb].sort());
  });

  it('with verifier.ipv6, an AAAA address is probed too, in the zone whose IPv6 block holds it; an address in no subnet is keyed on itself', async () => {
    const { v6, names } = await dualStackZoneC('2600:1f18:aa:c::10');
    const z = await threeZones({ [HOST]: ['10.99.0.10', v6] }, [
      `[${v6}]:443:[::1]:${zoneServers.c6.port}`,
      `10.99.0.10:443:127.0.0.2:${zoneServers.a.port}`,
    ]);
    // only the API name resolves differently here: one IPv4 address outside the VPC, one IPv6 in zone c
    const { tls } = await verify(z, world.config, true);
    const dns = tls
      .filter((f) => f.resource.startsWith('dns/'))
      .map(line)
      .sort();
    expect(dns).toEqual(
      [`TLS_OK dns/${HOST}@eu-west-1c eu-west-1c`, `TLS_OK dns/${HOST}@10.99.0.10 unknown zone`].sort(),
    );
    const six = tls.find((f) => f.resource === `dns/${HOST}@eu-west-1c`);
    expect(six?.message).toContain(`[${v6}]:443 in eu-west-1c`);
    expect(six?.details?.connectedTo).toBe(`[::1]:${zoneServers.c6.port}`);
    expect(zoneServers.c6.servernames).toContain(HOST);
    expect(names.nlb).not.toBe('');
  });

  it("with verifier.ipv6, a load balancer's A and AAAA addresses are each probed: a failing AAAA is not hidden by its zone's passing A", async () => {
    const { v6, names } = await dualStackZoneC('2600:1f18:aa:c::20');
    // the NLB is dual-stack: zone c's AAAA address leads to the server with the refused chain
    const z = await threeZones({}, [`[${v6}]:443:127.0.0.3:${zoneServers.b.port}`]);
    const lookup = lookupOf(
      { [names.nlb]: [z.address.a, z.address.b, z.address.c, v6], [HOST]: [z.address.a] },
      [],
    );
    const { tls } = await verify({ ...z, lookup }, world.config, true);
    const tg = tgResource();
    const nlb = tls.filter((f) => f.resource.startsWith(`${tg}@`));
    expect(nlb.map(line).sort()).toEqual(
      [
        `TLS_OK ${tg}@eu-west-1a eu-west-1a`,
        `TLS_UNTRUSTED_ISSUER ${tg}@eu-west-1b eu-west-1b`,
        `TLS_UNTRUSTED_ISSUER ${tg}@eu-west-1c eu-west-1c`,
      ].sort(),
    );
    const zoneC = nlb.find((f) => f.resource === `${tg}@eu-west-1c`);
    expect(zoneC?.details?.address).toBe(v6);
    expect(zoneC?.details?.addresses).toEqual([
      expect.objectContaining({ address: z.address.c, code: 'TLS_OK' }),
      expect.objectContaining({ address: v6, code: 'TLS_UNTRUSTED_ISSUER' }),
    ]);
    expect(zoneC?.message).toContain(`[${v6}]:443 in eu-west-1c`);
  });

  it('without verifier.ipv6 (the default), AAAA addresses are not dialled, and a name with AAAA only is TLS_IPV6_NOT_PROBED, not a page', async () => {
    const { v6, names } = await dualStackZoneC('2600:1f18:aa:c::20');
    const base = await threeZones();
    // a rule for the AAAA address leads to the refused chain: were it dialled, zone c would fail
    const rules = [...base.rules, parseConnectTo(`[${v6}]:443:127.0.0.3:${zoneServers.b.port}`)];
    const asked: string[] = [];
    const lookup = lookupOf(
      {
        [names.nlb]: [base.address.a, base.address.c, v6],
        [HOST]: ['2600:1f18:aa:c::30', v6],
      },
      asked,
    );
    const dialledB = zoneServers.b.servernames.length;
    const { tls, drift } = await verify({ rules, lookup });
    const tg = tgResource();
    expect(
      tls
        .filter((f) => f.resource.startsWith(tg))
        .map(line)
        .sort(),
    ).toEqual([`TLS_OK ${tg}@eu-west-1a eu-west-1a`, `TLS_OK ${tg}@eu-west-1c eu-west-1c`].sort());
    expect(zoneServers.b.servernames).toHaveLength(dialledB);
    expect(drift.map((f) => `${f.code} ${f.severity} ${f.resource}`)).toEqual([
      `TLS_IPV6_NOT_PROBED warning dns/${HOST}`,
    ]);
    expect(drift[0]?.message).toContain('verifier.ipv6: true');
  });

  it('a name with a single address keeps its resource; the name probe dials api.hostnamePort, not api.port (8443)', async () => {
    const config = parseConfig(
      {
        clusters: world.config.clusters.map((c) => ({ ...c, api: { ...c.api, hostname: HOST, port: 8443 } })),
      },
      'zones test',
    );
    const z = await threeZones({ [HOST]: ['10.99.0.20'] }, [
      `10.99.0.20:443:127.0.0.2:${zoneServers.a.port}`,
      // a probe of the name on the load balancer's port would meet the refused chain
      `10.99.0.20:8443:127.0.0.3:${zoneServers.b.port}`,
    ]);
    const { tls } = await verify(z, config);
    const dns = tls.filter((f) => f.resource.startsWith('dns/'));
    expect(dns.map(line)).toEqual([`TLS_OK dns/${HOST} unknown zone`]);
    expect(dns[0]?.details?.endpoint).toBe('10.99.0.20:443');
  });
});

describe('an instance with no IPv4 address', () => {
  const ipv6Only = (port: number) => {
    const [cluster] = world.config.clusters;
    if (!cluster) throw new Error('no cluster');
    const withPort = { ...cluster, api: { ...cluster.api, instancePort: port } };
    const planned = probeTargets(
      withPort,
      [],
      new Map([
        [
          'i-0123456789abcdef0',
          { instanceId: 'i-0123456789abcdef0', state: 'running', ipv6: '::1', tags: new Map() },
        ],
      ]),
    );
    // the instance only: the API name is never resolved here (no DNS beyond loopback)
    return { cluster: withPort, planned: planned.filter((t) => t.resource.startsWith('i-')) };
  };
  const resolve = (planned: ReturnType<typeof ipv6Only>['planned'], ipv6: boolean) =>
    resolveTargets(planned, {
      timeoutMs: 2000,
      ipv6,
      placer: () => Promise.reject(new Error('no name to place')),
      log: silentLog,
    });

  it('with verifier.ipv6: is probed on its IPv6 address, bracketed, with SNI on the API hostname', async () => {
    const { cluster, planned } = ipv6Only(zoneServers.c6.port);
    const { targets, ipv6Only: skipped } = await resolve(planned, true);
    expect(skipped).toEqual([]);
    const probes = await probeAll(targets, parsePemBundle(kopsCa.certPem, 'test'), {
      timeoutMs: 2000,
      expiryWarningDays: 14,
    });
    const findings = probes.map((p) => tlsFinding(cluster, p));
    expect(findings.map((f) => `${f.code} ${f.resource}`)).toEqual(['TLS_OK i-0123456789abcdef0']);
    expect(findings[0]?.details?.endpoint).toBe(`[::1]:${zoneServers.c6.port}`);
    expect(zoneServers.c6.servernames).toContain(HOST);
  });

  it('without verifier.ipv6: is not dialled, and is reported as TLS_IPV6_NOT_PROBED saying what to set', async () => {
    const { cluster, planned } = ipv6Only(zoneServers.c6.port);
    const { targets, ipv6Only: skipped } = await resolve(planned, false);
    expect(targets).toEqual([]);
    const findings = skipped.map((s) => ipv6NotProbed(cluster, s));
    expect(findings.map((f) => `${f.code} ${f.severity} ${f.resource}`)).toEqual([
      'TLS_IPV6_NOT_PROBED warning i-0123456789abcdef0',
    ]);
    expect(findings[0]?.message).toContain('set verifier.ipv6: true with dual-stack node subnets');
  });
});
