import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../functions/core/tls/probe.ts';
import { ipv6NotProbed, tlsFindings } from '../../../functions/core/verify/tls-findings.ts';

const HOST = 'api.internal.k8s.example.com';
const ELB = 'elb/k8s-api-internal';
const cluster = { name: 'k8s.example.com' };

const probe = (
  resource: string,
  host: string,
  code: ProbeResult['code'],
  zone = 'eu-west-1a',
): ProbeResult => ({
  resource,
  host,
  port: 443,
  servername: HOST,
  name: 'k8s-api-internal.elb.example',
  zone,
  code,
  reason: code === 'TLS_OK' ? 'chains to the cluster CA' : `${code} at ${host}`,
  durationMs: 3,
});

describe('tlsFindings: one finding per zone', () => {
  it('a probe alone is its own finding, as before', () => {
    const out = tlsFindings(cluster, [probe(`${ELB}@eu-west-1a`, '10.0.1.10', 'TLS_OK')]);
    expect(out.map((f) => [f.code, f.resource])).toEqual([['TLS_OK', `${ELB}@eu-west-1a`]]);
    expect(out[0]?.details?.addresses).toBeUndefined();
  });

  it('two addresses in one zone: the failing one is never hidden by the passing one, and both are listed', () => {
    for (const order of [
      ['10.0.1.10', '10.0.1.11'],
      ['10.0.1.11', '10.0.1.10'],
    ]) {
      const probes = order.map((a) =>
        probe(`${ELB}@eu-west-1a`, a, a === '10.0.1.11' ? 'TLS_CONNECTION_REFUSED' : 'TLS_OK'),
      );
      const out = tlsFindings(cluster, [
        ...probes,
        probe(`${ELB}@eu-west-1b`, '10.0.2.10', 'TLS_OK', 'eu-west-1b'),
      ]);
      expect(out.map((f) => [f.code, f.resource])).toEqual([
        ['TLS_CONNECTION_REFUSED', `${ELB}@eu-west-1a`],
        ['TLS_OK', `${ELB}@eu-west-1b`],
      ]);
      const [zoneA] = out;
      expect(zoneA?.details?.addresses).toEqual([
        {
          address: '10.0.1.10',
          endpoint: '10.0.1.10:443',
          code: 'TLS_OK',
          reason: 'chains to the cluster CA',
        },
        {
          address: '10.0.1.11',
          endpoint: '10.0.1.11:443',
          code: 'TLS_CONNECTION_REFUSED',
          reason: 'TLS_CONNECTION_REFUSED at 10.0.1.11',
        },
      ]);
      expect(zoneA?.details?.address).toBe('10.0.1.11');
      expect(zoneA?.message).toContain('10.0.1.11:443 in eu-west-1a');
      expect(zoneA?.message).toContain(
        '[2 addresses in eu-west-1a: 10.0.1.10:443 TLS_OK, 10.0.1.11:443 TLS_CONNECTION_REFUSED]',
      );
    }
  });

  it('an A and an AAAA address of one zone both failing: the first in sorted order is the verdict, both are listed', () => {
    const out = tlsFindings(cluster, [
      probe(`${ELB}@eu-west-1a`, 'fd00:ec2:0:a::10', 'TLS_TIMEOUT'),
      probe(`${ELB}@eu-west-1a`, '10.0.1.10', 'TLS_UNTRUSTED_ISSUER'),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]?.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(((out[0]?.details?.addresses ?? []) as { code: string }[]).map((a) => a.code)).toEqual([
      'TLS_UNTRUSTED_ISSUER',
      'TLS_TIMEOUT',
    ]);
  });
});

describe('ipv6NotProbed', () => {
  it('an IPv6-only instance: a warning on the instance that says to set verifier.ipv6', () => {
    const f = ipv6NotProbed(cluster, { resource: 'i-0000000000000000b', addresses: ['fd00:ec2:0:a::5'] });
    expect([f.code, f.severity, f.resource]).toEqual([
      'TLS_IPV6_NOT_PROBED',
      'warning',
      'i-0000000000000000b',
    ]);
    expect(f.message).toContain('no private IPv4 address, only fd00:ec2:0:a::5');
    expect(f.message).toContain('verifier.ipv6: true');
    expect(f.message).toContain('dual-stack node subnets');
  });

  it('a name with AAAA records only names the name and its addresses', () => {
    const f = ipv6NotProbed(cluster, {
      resource: `dns/${HOST}`,
      name: HOST,
      addresses: ['fd00::1', 'fd00::2'],
    });
    expect(f.actual).toBe(`${HOST} resolves to IPv6 addresses only (fd00::1, fd00::2)`);
    expect(f.details).toEqual({ addresses: ['fd00::1', 'fd00::2'], name: HOST });
  });
});
