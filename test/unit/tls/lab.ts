import { bundleOf } from '../../../functions/core/ca/bundle.ts';
import { type VerifyChainInput, verifyServerChain } from '../../../functions/core/tls/verify-chain.ts';
import { type LabCert, type LabSpec, makeCert } from '../../../sandbox/x509-lab.ts';

/** The name kubelet dials, as the TLS unit tests use it. */
export const API = 'api.internal.k8s.example.com';

/** A serving certificate for the API name, issued by `issuer`. */
export function leaf(issuer: LabCert, more: Partial<LabSpec> = {}): LabCert {
  return makeCert({ subject: { cn: 'kubernetes-master' }, issuer, ca: false, dns: [API], ...more });
}

/** The verifier's verdict on `sent` (leaf first) against a bundle of `trust`, for the API name, now. */
export function judge(sent: LabCert[], trust: LabCert[], more: Partial<VerifyChainInput> = {}) {
  return verifyServerChain({
    presented: sent.map((c) => c.x509),
    trust: bundleOf(
      'test',
      trust.map((c) => c.x509),
    ),
    hostname: API,
    now: new Date(),
    expiryWarningDays: 0,
    ...more,
  });
}
