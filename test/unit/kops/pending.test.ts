import { describe, expect, it } from 'vitest';
import { describeChanges, pendingChanges } from '../../../functions/core/kops/pending.ts';
import type { ApiLoadBalancerSpec, ClusterSpec } from '../../../functions/core/kops/spec.ts';

/** Pure: the spec the next update applies (`config`) against the applied one (`cluster-completed.spec`). */
const ACM = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const spec = (api?: ApiLoadBalancerSpec, key = 'config'): ClusterSpec => ({
  key,
  ...(api ? { apiLoadBalancer: api } : {}),
});

describe('pendingChanges', () => {
  it.each([
    ['no applied spec: nothing to compare', spec({ useForInternalApi: true }), undefined, ''],
    [
      'the same values, defaults filled in only in the completed spec',
      spec({ useForInternalApi: true, sslCertificate: ACM }),
      spec({ useForInternalApi: true, sslCertificate: ACM, class: 'Classic', type: 'Public' }),
      '',
    ],
    [
      'useForInternalApi set in config only',
      spec({ useForInternalApi: true, sslCertificate: ACM }),
      spec({ useForInternalApi: false, sslCertificate: ACM }),
      'useForInternalApi: false → true',
    ],
    [
      'a certificate added and the class changed in config',
      spec({ useForInternalApi: false, sslCertificate: ACM, class: 'Network' }),
      spec({ useForInternalApi: false, class: 'Classic' }),
      `class: Classic → Network, sslCertificate: (unset) → ${ACM}`,
    ],
    [
      'the API load balancer added in config (a DNS cluster before)',
      spec({ useForInternalApi: true, type: 'Internal' }),
      spec(),
      'type: (unset) → Internal, useForInternalApi: false → true',
    ],
    [
      'the certificate removed in config',
      spec({ useForInternalApi: true }),
      spec({ useForInternalApi: true, sslCertificate: ACM }),
      `sslCertificate: ${ACM} → (unset)`,
    ],
  ])('%s', (_name, config, applied, expected) => {
    expect(describeChanges(pendingChanges(config, applied))).toBe(expected);
  });
});
