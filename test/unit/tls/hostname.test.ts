import { describe, expect, it } from 'vitest';
import { canonicalIp, hostnameMatches, parseSubjectAltName } from '../../../functions/core/tls/hostname.ts';

describe('parseSubjectAltName', () => {
  it('reads DNS and IP entries, ignoring other types', () => {
    expect(
      parseSubjectAltName('DNS:a.example.com, IP Address:10.0.0.1, email:x@y.z, URI:https://a:1/b, DNS:b'),
    ).toEqual({
      dns: ['a.example.com', 'b'],
      ips: ['10.0.0.1'],
    });
  });

  it('reads the JSON-quoted values Node emits for names with commas or quotes', () => {
    expect(parseSubjectAltName('DNS:"a\\u002cb\\"c", DNS:after')).toEqual({
      dns: ['a,b"c', 'after'],
      ips: [],
    });
  });

  it('returns nothing for a certificate without SANs', () => {
    expect(parseSubjectAltName(undefined)).toEqual({ dns: [], ips: [] });
  });
});

describe('hostnameMatches', () => {
  const sans = {
    dns: ['api.internal.k8s.example.com', '*.k8s.example.com', 'Exact_Name'],
    ips: ['0:0:0:0:0:0:0:1', '10.0.0.9'],
  };

  it('compares DNS names case-insensitively and ignores one trailing dot on the host', () => {
    expect(hostnameMatches(sans, 'API.internal.k8s.example.com.')).toBe(true);
    expect(hostnameMatches(sans, 'exact_name')).toBe(true);
  });

  it('a wildcard covers one label only', () => {
    expect(hostnameMatches(sans, 'x.k8s.example.com')).toBe(true);
    expect(hostnameMatches(sans, 'a.b.k8s.example.com')).toBe(false);
    expect(hostnameMatches(sans, '*.k8s.example.com')).toBe(true);
  });

  it('an IP host matches IP SANs only, in any notation', () => {
    expect(hostnameMatches(sans, '::1')).toBe(true);
    expect(hostnameMatches(sans, '[::1]')).toBe(true);
    expect(hostnameMatches(sans, '::ffff:10.0.0.9')).toBe(true);
    expect(hostnameMatches({ dns: ['10.0.0.9'], ips: [] }, '10.0.0.9')).toBe(false);
  });

  it('canonicalIp', () => {
    expect(canonicalIp('10.0.0.1')).toBe(canonicalIp('::ffff:a00:1'));
    expect(canonicalIp('api')).toBeUndefined();
  });
});
