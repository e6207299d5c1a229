import { describe, expect, it } from 'vitest';
import { renderTable, resourceCell } from '../../../bin/cli/format.ts';
import { verdictOf } from '../../../functions/core/findings/finding.ts';
import { finding } from '../../../functions/core/findings/make.ts';

const C = 'k8s.example.com';
const tls = (resource: string, details: Record<string, unknown>) =>
  finding('TLS_UNTRUSTED_ISSUER', {
    cluster: C,
    resource,
    expected: 'a certificate from the kops CA',
    actual: 'issued by CN=Amazon RSA 2048 M03',
    message: 'Certificate not signed by the kops CA',
    details,
  });

describe('the verify table', () => {
  it('shows the zone of a probe of one address of a name beside its resource', () => {
    const zoned = tls('dns/api.internal.k8s.example.com@10.0.2.10', {
      address: '10.0.2.10',
      zone: 'eu-west-1b',
    });
    expect(resourceCell(zoned)).toBe('dns/api.internal.k8s.example.com@10.0.2.10 (eu-west-1b)');
    expect(renderTable([verdictOf(C, [zoned])])).toContain(
      'CRIT  TLS_UNTRUSTED_ISSUER  dns/api.internal.k8s.example.com@10.0.2.10 (eu-west-1b)  none',
    );
  });

  it('leaves every other resource as it is', () => {
    expect(resourceCell(tls('elb/k8s-api-internal', { endpoint: 'x:443' }))).toBe('elb/k8s-api-internal');
    expect(resourceCell(tls('i-0123456789abcdef0', { zone: null }))).toBe('i-0123456789abcdef0');
  });
});
