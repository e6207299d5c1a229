/**
 * Which Go release's crypto/x509 rules a verdict applies: kubelet is a Go program, and a few
 * verification rules changed between Go releases. `tls.goVersionRules` in the cluster config names
 * the oldest Go that builds a kubelet of the cluster (`1.23` for Kubernetes 1.32, …); `current`
 * (the default) applies the rules of the newest Go this code knows.
 */

/**
 * The Go minor release `current` applies: Go 1.25 (what Kubernetes 1.35 builds with). Rules 1.26
 * (name constraints checked on every certificate below the CA, not on the CA itself) are modelled
 * and can be chosen with `tls.goVersionRules: "1.26"`; `current` moves to them once kubelet's Go
 * release is confirmed.
 */
export const CURRENT_GO_MINOR = 25;

export interface GoRules {
  /** Go 1.<minor>. */
  minor: number;
  /** For reasons: `Go 1.23`. */
  label: string;
}

export const GO_VERSION_RULES = /^(current|1\.(1[5-9]|[2-9]\d))$/;

export function goRules(setting: string | undefined = 'current'): GoRules {
  const match = /^1\.(\d+)$/.exec(setting);
  const minor = match?.[1] ? Number.parseInt(match[1], 10) : CURRENT_GO_MINOR;
  return { minor, label: `Go 1.${minor}` };
}

/** Go 1.23 and later refuse to parse a certificate with a negative serial number (kubelet 1.32+). */
export function refusesNegativeSerial(rules: GoRules): boolean {
  return rules.minor >= 23;
}

/**
 * The largest Certificate handshake message Go's client reads: 64 KiB (maxHandshake) before Go
 * 1.20, 256 KiB (maxHandshakeCertificateMsg, golang/go#50773) since.
 */
export function maxCertificateMessageBytes(rules: GoRules): number {
  return rules.minor >= 20 ? 256 * 1024 : 64 * 1024;
}

/** Go 1.24 and later refuse RSA keys under 1024 bits (signatures by them do not verify). */
export function minimumRsaBits(rules: GoRules): number {
  return rules.minor >= 24 ? 1024 : 0;
}

const BASE_HANDLED = new Set([
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints (only DNS, IP, email, URI subtrees)
  '2.5.29.31', // cRLDistributionPoints
  '2.5.29.32', // certificatePolicies
  '2.5.29.35', // authorityKeyIdentifier
  '2.5.29.37', // extKeyUsage
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);
/**
 * policyMappings, policyConstraints, inhibitAnyPolicy: Go parses them since it validates policies
 * (Go 1.24); before, a critical one was an unhandled critical extension (golang/go#68484). The
 * policy validation itself (a chain whose policies do not intersect) is not modelled here.
 */
const POLICY_EXTENSIONS = new Set(['2.5.29.33', '2.5.29.36', '2.5.29.54']);

/** True when Go's parser understands a critical extension with this OID (else: "unhandled critical extension"). */
export function handlesCriticalExtension(oid: string, rules: GoRules): boolean {
  return BASE_HANDLED.has(oid) || (rules.minor >= 24 && POLICY_EXTENSIONS.has(oid));
}

/** Signature algorithms Go verifies on certificates, by OID. */
export const GO_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.113549.1.1.10': 'SHA256/384/512-RSAPSS',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.3.101.112': 'Ed25519',
};

/** Algorithms Go knows and refuses as insecure or unsupported for certificate signatures. */
export const GO_REFUSED_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.3.14.3.2.29': 'SHA1-RSA',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.113549.1.1.4': 'MD5-RSA',
  '1.2.840.113549.1.1.2': 'MD2-RSA',
  '1.2.840.10040.4.3': 'DSA-SHA1',
  '2.16.840.1.101.3.4.3.2': 'DSA-SHA256',
};
