import type { ChainCode } from '../../functions/core/tls/verify-chain.ts';
import { days, KU, type LabCert, type LabSpec, makeCa, makeCert } from '../../sandbox/x509-lab.ts';

/**
 * Generated certificate chains for the Go differential test, one per rule of Go's crypto/x509
 * verifier that kubelet relies on, plus the rules the project already checked. Each case: what
 * the server sends (leaf first, in order), what the cluster CA bundle holds, and the verdict the
 * sentinel must give under current rules. `goSince` marks a rule that a Go release introduced:
 * an older installed Go judges the other way, and the test expects that difference.
 */

export const API = 'api.internal.k8s.example.com';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EKU = '2.5.29.37.0';
const UNKNOWN_OID = '1.3.6.1.4.1.55555.1.1';

export interface MatrixCase {
  id: string;
  /** What the case checks. */
  rule: string;
  sent: LabCert[];
  trust: LabCert[];
  /** The sentinel's verdict under current rules. */
  code: ChainCode;
  /** Server TLS options. */
  tls?: { maxVersion?: 'TLSv1.2' | 'TLSv1.3'; ciphersuites?: string };
  /** Go release that introduced the rule deciding this case, and why older releases differ. */
  goSince?: { minor: number; why: string };
}

const now = Date.now();
const ago = (d: number): Date => new Date(now - days(d));
const ahead = (d: number): Date => new Date(now + days(d));

function leaf(issuer: LabCert, more: Partial<LabSpec> = {}): LabCert {
  return makeCert({
    subject: { cn: 'kubernetes-master' },
    issuer,
    ca: false,
    keyUsage: KU.digitalSignature | KU.keyEncipherment,
    eku: [SERVER_AUTH],
    dns: [API],
    ...more,
  });
}

export function buildMatrix(): MatrixCase[] {
  const root = makeCa('kubernetes-ca');
  const mid = makeCa('kops-intermediate', { issuer: root });
  const foreign = makeCa('Amazon Root CA 1');
  const foreignMid = makeCa('Amazon RSA 2048 M02', { issuer: foreign });
  const stranger = makeCa('stranger');
  const cases: MatrixCase[] = [];
  const add = (c: MatrixCase): void => {
    cases.push(c);
  };
  const T = [root];

  // trust and path building
  add({
    id: 'ok-direct',
    rule: 'leaf signed by the cluster CA',
    sent: [leaf(root)],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'ok-intermediate',
    rule: 'leaf + intermediate',
    sent: [leaf(mid), mid],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'intermediate-not-sent',
    rule: 'intermediate missing',
    sent: [leaf(mid)],
    trust: T,
    code: 'TLS_UNTRUSTED_ISSUER',
  });
  add({
    id: 'foreign-ca',
    rule: 'ACM-like chain',
    sent: [leaf(foreignMid), foreignMid],
    trust: T,
    code: 'TLS_UNTRUSTED_ISSUER',
  });
  add({
    id: 'stranger-then-intermediate',
    rule: 'unrelated certificate sent first, path still found',
    sent: [leaf(mid), stranger, mid],
    trust: T,
    code: 'TLS_OK',
  });
  const mid2 = makeCa('kops-intermediate-2', { issuer: mid });
  add({
    id: 'two-intermediates-reversed',
    rule: 'intermediates in any order',
    sent: [leaf(mid2), mid, mid2],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'impostor-same-name',
    rule: 'CA with the same name, other key',
    sent: [leaf(makeCa('kubernetes-ca'))],
    trust: T,
    code: 'TLS_UNTRUSTED_ISSUER',
  });
  const second = makeCa('kubernetes-ca-next');
  add({
    id: 'bundle-second-key',
    rule: 'bundle with two CAs',
    sent: [leaf(second)],
    trust: [root, second],
    code: 'TLS_OK',
  });
  const selfLeaf = makeCert({ subject: { cn: API }, ca: false, eku: [SERVER_AUTH], dns: [API] });
  add({
    id: 'self-signed-in-bundle',
    rule: 'leaf itself trusted',
    sent: [selfLeaf],
    trust: [selfLeaf],
    code: 'TLS_OK',
  });
  const wrongAki = makeCa('kops-intermediate-aki', { issuer: root, aki: Buffer.alloc(20, 7) });
  add({
    id: 'intermediate-aki-mismatch',
    rule: 'intermediate whose authority key id does not match: Go links by name, not key id',
    sent: [leaf(wrongAki), wrongAki],
    trust: T,
    code: 'TLS_OK',
  });
  const leafWrongAki = leaf(mid, { aki: Buffer.alloc(20, 9) });
  add({
    id: 'leaf-aki-mismatch',
    rule: 'leaf whose authority key id does not match its intermediate',
    sent: [leafWrongAki, mid],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'tls12',
    rule: 'TLS 1.2 handshake',
    sent: [leaf(mid), mid],
    trust: T,
    code: 'TLS_OK',
    tls: { maxVersion: 'TLSv1.2' },
  });
  add({
    id: 'tls13-aes256',
    rule: 'TLS 1.3 AES-256-GCM',
    sent: [leaf(mid), stranger, mid],
    trust: T,
    code: 'TLS_OK',
    tls: { ciphersuites: 'TLS_AES_256_GCM_SHA384' },
  });
  add({
    id: 'tls13-chacha',
    rule: 'TLS 1.3 ChaCha20-Poly1305',
    sent: [leaf(mid), mid],
    trust: T,
    code: 'TLS_OK',
    tls: { ciphersuites: 'TLS_CHACHA20_POLY1305_SHA256' },
  });

  // validity
  add({
    id: 'leaf-expired',
    rule: 'leaf expired',
    sent: [leaf(root, { notBefore: ago(30), notAfter: ago(1) })],
    trust: T,
    code: 'TLS_CERT_EXPIRED',
  });
  add({
    id: 'leaf-not-yet-valid',
    rule: 'leaf not yet valid',
    sent: [leaf(root, { notBefore: ahead(1), notAfter: ahead(30) })],
    trust: T,
    code: 'TLS_CERT_NOT_YET_VALID',
  });
  const oldMid = makeCa('old-intermediate', { issuer: root, notBefore: ago(30), notAfter: ago(1) });
  add({
    id: 'intermediate-expired',
    rule: 'intermediate expired',
    sent: [leaf(oldMid), oldMid],
    trust: T,
    code: 'TLS_CERT_EXPIRED',
  });
  const oldRoot = makeCa('old-kubernetes-ca', { notBefore: ago(300), notAfter: ago(1) });
  add({
    id: 'root-expired',
    rule: 'trusted CA expired',
    sent: [leaf(oldRoot)],
    trust: [oldRoot],
    code: 'TLS_CERT_EXPIRED',
  });

  // extended key usage (KeyUsage ignored on the leaf)
  add({
    id: 'eku-client-only',
    rule: 'leaf EKU clientAuth only',
    sent: [leaf(root, { eku: [CLIENT_AUTH] })],
    trust: T,
    code: 'TLS_NOT_SERVER_AUTH',
  });
  add({
    id: 'eku-any',
    rule: 'leaf EKU any',
    sent: [leaf(root, { eku: [ANY_EKU] })],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'eku-none',
    rule: 'leaf without EKU',
    sent: [leaf(root, { eku: [] })],
    trust: T,
    code: 'TLS_OK',
  });
  const clientMid = makeCa('client-only-intermediate', { issuer: root, eku: [CLIENT_AUTH] });
  add({
    id: 'eku-intermediate-client-only',
    rule: 'intermediate EKU clientAuth only',
    sent: [leaf(clientMid), clientMid],
    trust: T,
    code: 'TLS_NOT_SERVER_AUTH',
  });
  add({
    id: 'leaf-keyusage-ignored',
    rule: 'leaf KeyUsage without keyEncipherment: Go ignores the leaf KeyUsage',
    sent: [leaf(root, { keyUsage: KU.digitalSignature })],
    trust: T,
    code: 'TLS_OK',
  });
  const noCertSign = makeCa('no-certsign-intermediate', { issuer: root, keyUsage: KU.digitalSignature });
  add({
    id: 'intermediate-without-certsign',
    rule: 'intermediate KeyUsage without keyCertSign',
    sent: [leaf(noCertSign), noCertSign],
    trust: T,
    code: 'TLS_UNTRUSTED_ISSUER',
  });

  // hostname
  add({
    id: 'hostname-mismatch',
    rule: 'SAN for another name',
    sent: [leaf(root, { dns: ['api.k8s.example.com'] })],
    trust: T,
    code: 'TLS_HOSTNAME_MISMATCH',
  });
  add({
    id: 'cn-only',
    rule: 'no SAN, CN = API name: no CN fallback',
    sent: [leaf(root, { subject: { cn: API }, dns: [] })],
    trust: T,
    code: 'TLS_HOSTNAME_MISMATCH',
  });
  add({
    id: 'wildcard-one-label',
    rule: 'wildcard covers one label',
    sent: [leaf(root, { dns: ['*.internal.k8s.example.com'] })],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'wildcard-two-labels',
    rule: 'wildcard does not cover two labels',
    sent: [leaf(root, { dns: ['*.k8s.example.com'] })],
    trust: T,
    code: 'TLS_HOSTNAME_MISMATCH',
  });

  // basicConstraints: CA flag and path length
  const notCa = makeCert({
    subject: { cn: 'not-a-ca' },
    issuer: root,
    ca: false,
    keyUsage: KU.keyCertSign,
    dns: [API],
  });
  add({
    id: 'intermediate-not-ca',
    rule: 'intermediate with CA:FALSE',
    sent: [leaf(notCa), notCa],
    trust: T,
    code: 'TLS_UNTRUSTED_ISSUER',
  });
  const noBc = makeCert({ subject: { cn: 'no-basic-constraints' }, issuer: root, keyUsage: KU.keyCertSign });
  add({
    id: 'intermediate-no-basic-constraints',
    rule: 'v3 intermediate without basicConstraints',
    sent: [leaf(noBc), noBc],
    trust: T,
    code: 'TLS_UNTRUSTED_ISSUER',
  });
  const root0 = makeCa('pathlen0-ca', { pathLen: 0 });
  const under0 = makeCa('under-pathlen0', { issuer: root0 });
  add({
    id: 'pathlen0-root-one-intermediate',
    rule: 'root pathlen 0, one intermediate',
    sent: [leaf(under0), under0],
    trust: [root0],
    code: 'TLS_PATH_LENGTH_EXCEEDED',
  });
  add({
    id: 'pathlen0-root-direct',
    rule: 'root pathlen 0, leaf directly',
    sent: [leaf(root0)],
    trust: [root0],
    code: 'TLS_OK',
  });
  const root1 = makeCa('pathlen1-ca', { pathLen: 1 });
  const under1 = makeCa('under-pathlen1', { issuer: root1 });
  add({
    id: 'pathlen1-root-one-intermediate',
    rule: 'root pathlen 1, one intermediate',
    sent: [leaf(under1), under1],
    trust: [root1],
    code: 'TLS_OK',
  });
  const under1b = makeCa('under-pathlen1-b', { issuer: under1 });
  add({
    id: 'pathlen1-root-two-intermediates',
    rule: 'root pathlen 1, two intermediates',
    sent: [leaf(under1b), under1b, under1],
    trust: [root1],
    code: 'TLS_PATH_LENGTH_EXCEEDED',
  });
  const mid0 = makeCa('intermediate-pathlen0', { issuer: root, pathLen: 0 });
  const belowMid0 = makeCa('below-pathlen0', { issuer: mid0 });
  add({
    id: 'pathlen0-intermediate',
    rule: 'intermediate pathlen 0 with an intermediate below it',
    sent: [leaf(belowMid0), belowMid0, mid0],
    trust: T,
    code: 'TLS_PATH_LENGTH_EXCEEDED',
  });

  // name constraints
  const ncRoot = (name: string, nc: LabSpec['nameConstraints']): LabCert =>
    makeCa(name, { nameConstraints: nc });
  const permitK8s = ncRoot('nc-k8s', { permittedDns: ['k8s.example.com'] });
  add({
    id: 'nc-permitted-inside',
    rule: 'permitted DNS subtree covers the name',
    sent: [leaf(permitK8s)],
    trust: [permitK8s],
    code: 'TLS_OK',
  });
  add({
    id: 'nc-permitted-extra-san',
    rule: 'permitted DNS subtree; another SAN outside it',
    sent: [leaf(permitK8s, { dns: [API, 'kubernetes.default'] })],
    trust: [permitK8s],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const permitCorp = ncRoot('nc-corp', { permittedDns: ['corp.example'] });
  add({
    id: 'nc-permitted-outside',
    rule: 'permitted DNS subtree excludes the name',
    sent: [leaf(permitCorp)],
    trust: [permitCorp],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const excludeInternal = ncRoot('nc-exclude', { excludedDns: ['internal.k8s.example.com'] });
  add({
    id: 'nc-excluded',
    rule: 'excluded DNS subtree holds the name',
    sent: [leaf(excludeInternal)],
    trust: [excludeInternal],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const dotted = ncRoot('nc-dotted', { permittedDns: ['.k8s.example.com'] });
  add({
    id: 'nc-leading-dot',
    rule: 'permitted .k8s.example.com',
    sent: [leaf(dotted)],
    trust: [dotted],
    code: 'TLS_OK',
  });
  const ncMid = makeCa('nc-intermediate', {
    issuer: root,
    nameConstraints: { permittedDns: ['corp.example'] },
  });
  add({
    id: 'nc-on-intermediate',
    rule: 'intermediate permits corp.example only',
    sent: [leaf(ncMid), ncMid],
    trust: T,
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const ipPermit10 = ncRoot('nc-ip-10', { permittedIps: ['10.0.0.0/8'] });
  add({
    id: 'nc-ip-permitted-outside',
    rule: 'permitted IP range excludes the IP SAN',
    sent: [leaf(ipPermit10, { ips: ['127.0.0.1'] })],
    trust: [ipPermit10],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const ipExclude = ncRoot('nc-ip-excl', { excludedIps: ['127.0.0.0/8'] });
  add({
    id: 'nc-ip-excluded',
    rule: 'excluded IP range holds the IP SAN',
    sent: [leaf(ipExclude, { ips: ['127.0.0.1'] })],
    trust: [ipExclude],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const both = ncRoot('nc-both', { permittedDns: ['k8s.example.com'], permittedIps: ['127.0.0.0/8'] });
  add({
    id: 'nc-dns-and-ip-inside',
    rule: 'DNS and IP permitted',
    sent: [leaf(both, { ips: ['127.0.0.1'] })],
    trust: [both],
    code: 'TLS_OK',
  });
  add({
    id: 'nc-dns-only-ip-free',
    rule: 'DNS constraint leaves IP SANs free',
    sent: [leaf(permitK8s, { ips: ['127.0.0.1'] })],
    trust: [permitK8s],
    code: 'TLS_OK',
  });
  add({
    id: 'nc-on-leaf-ignored',
    rule: 'name constraints on the leaf itself are not applied',
    sent: [leaf(root, { nameConstraints: { permittedDns: ['corp.example'] } })],
    trust: T,
    code: 'TLS_OK',
  });
  const dirNc = ncRoot('nc-directory', {
    permittedDns: ['k8s.example.com'],
    directoryName: true,
    critical: true,
  });
  add({
    id: 'nc-directory-name-critical',
    rule: 'critical name constraints with a directoryName subtree',
    sent: [leaf(dirNc)],
    trust: [dirNc],
    code: 'TLS_UNHANDLED_CRITICAL_EXTENSION',
  });

  // name constraints: which certificates they apply to (Go 1.19-1.25: the leaf and the CA itself)
  const ownSanOutside = ncRoot('nc-own-san-outside', { permittedDns: ['k8s.example.com'] });
  const ownSan = makeCa('nc-own-san-outside', {
    nameConstraints: { permittedDns: ['k8s.example.com'] },
    dns: ['ca.corp.example'],
  });
  add({
    id: 'nc-ca-own-san-outside',
    rule: "CA whose own SAN lies outside its permitted subtree: Go 1.19-1.25 check the CA's own SANs",
    sent: [leaf(ownSan)],
    trust: [ownSan],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  add({
    id: 'nc-ca-no-san',
    rule: 'the same constrained CA without SANs',
    sent: [leaf(ownSanOutside)],
    trust: [ownSanOutside],
    code: 'TLS_OK',
  });
  const midSanOutside = makeCa('mid-with-san', { issuer: permitK8s, dns: ['issuer.corp.example'] });
  add({
    id: 'nc-intermediate-san-outside',
    rule: "an intermediate's SAN outside the root's constraint: Go 1.19-1.25 do not check intermediates",
    sent: [leaf(midSanOutside), midSanOutside],
    trust: [permitK8s],
    code: 'TLS_OK',
  });
  const ipOnly = ncRoot('nc-ip-only', { permittedIps: ['10.0.0.0/8'] });
  add({
    id: 'nc-ip-only-trailing-dot-dns',
    rule: 'IP-only name constraints; the leaf also carries a DNS SAN with a trailing dot',
    sent: [leaf(ipOnly, { dns: [API, 'kubernetes.default.svc.cluster.local.'] })],
    trust: [ipOnly],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  add({
    id: 'trailing-dot-dns-unconstrained',
    rule: 'a DNS SAN with a trailing dot and no name constraints',
    sent: [leaf(root, { dns: [API, 'kubernetes.default.svc.cluster.local.'] })],
    trust: T,
    code: 'TLS_OK',
  });
  const emailNc = ncRoot('nc-email', {
    permittedDns: ['k8s.example.com'],
    permittedEmails: ['corp.example'],
  });
  add({
    id: 'nc-email-outside',
    rule: 'permitted email domain; the leaf carries an email SAN outside it',
    sent: [leaf(emailNc, { emails: ['ops@other.example'] })],
    trust: [emailNc],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  add({
    id: 'nc-email-inside',
    rule: 'permitted email domain; the email SAN inside it',
    sent: [leaf(emailNc, { emails: ['ops@corp.example'] })],
    trust: [emailNc],
    code: 'TLS_OK',
  });
  const mailboxNc = ncRoot('nc-mailbox', { excludedEmails: ['root@k8s.example.com'] });
  add({
    id: 'nc-email-mailbox-excluded',
    rule: 'an excluded mailbox; the leaf carries it (domain in other case)',
    sent: [leaf(mailboxNc, { emails: ['root@K8S.example.com'] })],
    trust: [mailboxNc],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  const uriNc = ncRoot('nc-uri', { permittedDns: ['k8s.example.com'], permittedUris: ['.corp.example'] });
  add({
    id: 'nc-uri-outside',
    rule: 'permitted URI domain; the leaf carries a URI SAN outside it',
    sent: [leaf(uriNc, { uris: ['spiffe://cluster.local/ns/kube-system'] })],
    trust: [uriNc],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  add({
    id: 'nc-uri-inside',
    rule: 'permitted URI domain; the URI SAN inside it (with a port)',
    sent: [leaf(uriNc, { uris: ['https://id.corp.example:8443/x'] })],
    trust: [uriNc],
    code: 'TLS_OK',
  });
  add({
    id: 'nc-uri-ip-host',
    rule: 'URI constraints; the leaf carries a URI SAN whose host is an IP address',
    sent: [leaf(uriNc, { uris: ['https://10.0.0.1/x'] })],
    trust: [uriNc],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
  });
  add({
    id: 'nc-dns-only-uri-free',
    rule: 'DNS-only constraints leave URI and email SANs free',
    sent: [leaf(permitK8s, { uris: ['spiffe://cluster.local/ns/x'], emails: ['a@b.example'] })],
    trust: [permitK8s],
    code: 'TLS_OK',
  });

  const excludeFoo = ncRoot('nc-exclude-foo', { excludedDns: ['foo.k8s.example.com'] });
  add({
    id: 'nc-excluded-under-wildcard-san',
    rule: 'excluded foo.k8s.example.com; the leaf carries *.k8s.example.com, which covers it',
    sent: [leaf(excludeFoo, { dns: [API, '*.k8s.example.com'] })],
    trust: [excludeFoo],
    code: 'TLS_NAME_CONSTRAINTS_VIOLATED',
    goSince: {
      minor: 24,
      why: 'Go 1.24.11 and 1.25.5 refuse a wildcard SAN that covers an excluded DNS subtree; before, it passes',
    },
  });
  const excludeDeep = ncRoot('nc-exclude-deep', { excludedDns: ['a.foo.k8s.example.com'] });
  add({
    id: 'nc-excluded-beside-wildcard-san',
    rule: 'excluded a.foo.k8s.example.com; the wildcard *.k8s.example.com does not cover it',
    sent: [leaf(excludeDeep, { dns: [API, '*.k8s.example.com'] })],
    trust: [excludeDeep],
    code: 'TLS_OK',
  });

  // what Go's parser refuses in any certificate sent
  add({
    id: 'uri-san-invalid-host',
    rule: 'leaf with a URI SAN whose host is not a valid domain',
    sent: [leaf(root, { uris: ['https://a..b/x'] })],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
  });
  add({
    id: 'ip-san-5-bytes',
    rule: 'leaf with a 5-byte IP SAN',
    sent: [leaf(root, { rawSans: [{ tag: 7, data: Buffer.from([10, 0, 0, 1, 9]) }] })],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
  });
  add({
    id: 'dns-san-not-ascii',
    rule: 'leaf with a DNS SAN that is not ASCII',
    sent: [leaf(root, { rawSans: [{ tag: 2, data: Buffer.from('k\u00f6ps.k8s.example.com', 'utf8') }] })],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
  });
  // encodings: DER as Go's cryptobyte reads it (what it reads must be DER; what it does not read is not judged)
  const api = Buffer.from(API, 'latin1');
  const apiSan = Buffer.concat([Buffer.from([0x82, api.length]), api]);
  const sanValue = (...parts: number[][]): Buffer =>
    Buffer.concat([Buffer.from(parts[0] ?? []), apiSan, Buffer.from(parts[1] ?? [])]);
  const encoding = (id: string, rule: string, more: Partial<LabSpec>, code: ChainCode): void =>
    add({ id, rule, sent: [leaf(root, more)], trust: T, code });
  const rawSan = (value: Buffer): Partial<LabSpec> => ({
    dns: [],
    extra: [{ oid: '2.5.29.17', critical: false, value }],
  });
  encoding(
    'der-bc-pathlen-not-minimal',
    'basicConstraints whose pathLen INTEGER has a redundant leading zero byte',
    {
      ca: undefined,
      extra: [{ oid: '2.5.29.19', critical: true, value: Buffer.from([0x30, 4, 2, 2, 0, 5]) }],
    },
    'TLS_CERT_UNPARSEABLE',
  );
  encoding(
    'der-ku-padding-bit-set',
    'keyUsage BIT STRING with a padding bit set',
    {
      keyUsage: undefined,
      extra: [{ oid: '2.5.29.15', critical: true, value: Buffer.from([3, 2, 5, 0xa1]) }],
    },
    'TLS_CERT_UNPARSEABLE',
  );
  encoding(
    'der-san-long-form-short-length',
    'SAN SEQUENCE whose length (30) is written in the long form',
    rawSan(sanValue([0x30, 0x81, apiSan.length])),
    'TLS_CERT_UNPARSEABLE',
  );
  encoding(
    'der-san-indefinite-length',
    'SAN SEQUENCE with an indefinite length (BER, not DER)',
    rawSan(sanValue([0x30, 0x80], [0, 0])),
    'TLS_CERT_UNPARSEABLE',
  );
  encoding(
    'der-san-high-tag-entry',
    'SAN entry with a high-tag-number identifier (cryptobyte reads low tags only)',
    rawSan(sanValue([0x30, apiSan.length + 4], [0x9f, 0x1f, 1, 0x78])),
    'TLS_CERT_UNPARSEABLE',
  );
  encoding(
    'der-san-universal-entry-skipped',
    'SAN holding a UTF8String beside the DNS name: Go skips entries that are no GeneralName it reads',
    rawSan(sanValue([0x30, apiSan.length + 3], [0x0c, 1, 0x78])),
    'TLS_OK',
  );
  encoding(
    'der-san-trailing-bytes-unread',
    'bytes after the SAN SEQUENCE in the extension value: Go does not read them',
    rawSan(sanValue([0x30, apiSan.length], [5, 0])),
    'TLS_OK',
  );
  const k1Mid = makeCa('k1-intermediate', { issuer: root, curve: 'secp256k1' });
  add({
    id: 'ec-secp256k1-intermediate',
    rule: 'intermediate with a secp256k1 key (a curve Go does not support)',
    sent: [leaf(k1Mid), k1Mid],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
  });
  const badMaskNc = makeCa('nc-bad-mask', {
    extra: [
      {
        oid: '2.5.29.30',
        critical: true,
        // permittedSubtrees: iPAddress 10.0.0.0 with mask 255.0.255.0 (not contiguous)
        value: Buffer.from('300ea00c300a87080a000000ff00ff00', 'hex'),
      },
    ],
  });
  add({
    id: 'nc-ip-mask-not-contiguous',
    rule: 'CA whose IP name constraint has a non-contiguous mask',
    sent: [leaf(badMaskNc)],
    trust: [badMaskNc],
    code: 'TLS_UNTRUSTED_ISSUER',
  });

  // signature algorithms
  const rsaRoot = makeCa('rsa-root', { rsaBits: 2048 });
  const pssMid = (salt: number): LabCert =>
    makeCa(`pss-intermediate-salt-${salt}`, { issuer: rsaRoot, pssSaltLength: salt });
  const pss32 = pssMid(32);
  add({
    id: 'rsa-pss-sha256-salt32',
    rule: 'intermediate signed with RSA-PSS SHA-256, salt 32',
    sent: [leaf(pss32), pss32],
    trust: [rsaRoot],
    code: 'TLS_OK',
  });
  const pss20 = pssMid(20);
  add({
    id: 'rsa-pss-salt-not-hash-length',
    rule: 'intermediate signed with RSA-PSS SHA-256, salt 20',
    sent: [leaf(pss20), pss20],
    trust: [rsaRoot],
    code: 'TLS_INSECURE_SIGNATURE',
  });

  // signature algorithms
  add({
    id: 'sha1-leaf',
    rule: 'leaf signed with ECDSA-SHA1',
    sent: [leaf(root, { hash: 'sha1' })],
    trust: T,
    code: 'TLS_INSECURE_SIGNATURE',
  });
  const sha1Mid = makeCa('sha1-intermediate', { issuer: root, hash: 'sha1' });
  add({
    id: 'sha1-intermediate',
    rule: 'intermediate signed with ECDSA-SHA1',
    sent: [leaf(sha1Mid), sha1Mid],
    trust: T,
    code: 'TLS_INSECURE_SIGNATURE',
  });
  const sha1Root = makeCa('sha1-self-signed-ca', { hash: 'sha1' });
  add({
    id: 'sha1-trust-anchor',
    rule: 'self-signed trust anchor with SHA-1: never checked',
    sent: [leaf(sha1Root)],
    trust: [sha1Root],
    code: 'TLS_OK',
  });

  const rsaWhy = 'Go 1.24 refuses RSA keys under 1024 bits; older releases accept them';
  add({
    id: 'rsa-768-leaf',
    rule: 'leaf with a 768-bit RSA key',
    sent: [leaf(root, { rsaBits: 768 })],
    trust: T,
    code: 'TLS_INSECURE_SIGNATURE',
    goSince: { minor: 24, why: rsaWhy },
  });
  const rsaMid = makeCa('rsa-768-intermediate', { issuer: root, rsaBits: 768 });
  add({
    id: 'rsa-768-intermediate',
    rule: 'intermediate with a 768-bit RSA key signs the leaf',
    sent: [leaf(rsaMid), rsaMid],
    trust: T,
    code: 'TLS_INSECURE_SIGNATURE',
    goSince: { minor: 24, why: rsaWhy },
  });
  add({
    id: 'rsa-1024-leaf',
    rule: 'leaf with a 1024-bit RSA key',
    sent: [leaf(root, { rsaBits: 1024 })],
    trust: T,
    code: 'TLS_OK',
  });

  // critical extensions
  const unknown = (critical: boolean) => ({ extra: [{ oid: UNKNOWN_OID, critical }] });
  add({
    id: 'critical-unknown-leaf',
    rule: 'unknown critical extension on the leaf',
    sent: [leaf(root, unknown(true))],
    trust: T,
    code: 'TLS_UNHANDLED_CRITICAL_EXTENSION',
  });
  add({
    id: 'noncritical-unknown-leaf',
    rule: 'unknown non-critical extension on the leaf',
    sent: [leaf(root, unknown(false))],
    trust: T,
    code: 'TLS_OK',
  });
  const critMid = makeCa('critical-ext-intermediate', { issuer: root, ...unknown(true) });
  add({
    id: 'critical-unknown-intermediate',
    rule: 'unknown critical extension on an intermediate',
    sent: [leaf(critMid), critMid],
    trust: T,
    code: 'TLS_UNHANDLED_CRITICAL_EXTENSION',
  });
  const critRoot = makeCa('critical-ext-ca', unknown(true));
  add({
    id: 'critical-unknown-root',
    rule: 'unknown critical extension on the trusted CA',
    sent: [leaf(critRoot)],
    trust: [critRoot],
    code: 'TLS_UNHANDLED_CRITICAL_EXTENSION',
  });

  const policyMid = makeCa('policy-constraints-intermediate', {
    issuer: root,
    // policyConstraints { inhibitPolicyMapping 0 }, critical as RFC 5280 requires
    extra: [{ oid: '2.5.29.36', critical: true, value: Buffer.from([0x30, 0x03, 0x81, 0x01, 0x00]) }],
  });
  add({
    id: 'critical-policy-constraints',
    rule: 'critical policyConstraints on an intermediate',
    sent: [leaf(policyMid), policyMid],
    trust: T,
    code: 'TLS_OK',
    goSince: {
      minor: 24,
      why: 'Go 1.24 parses the policy extensions (policy validation); before, a critical one is unhandled',
    },
  });

  const v2Root = makeCa('v2-ca-extensions-ignored', { v2: true, ca: false });
  add({
    id: 'v2-ca-extensions-ignored',
    rule: 'a version-2 CA whose basicConstraints say CA:FALSE: Go reads extensions of version 3 only',
    sent: [leaf(v2Root)],
    trust: [v2Root],
    code: 'TLS_OK',
  });

  // certificate policies (Go 1.24 validates them)
  const requireExplicit = (critical: boolean) => ({
    oid: '2.5.29.36',
    critical,
    // policyConstraints { requireExplicitPolicy 0 }
    value: Buffer.from([0x30, 0x03, 0x80, 0x01, 0x00]),
  });
  // certificatePolicies { 2.23.140.1.2.1 } and { anyPolicy }
  const policyDv = {
    oid: '2.5.29.32',
    critical: false,
    value: Buffer.from('300a3008060667810c010201', 'hex'),
  };
  const policyAny = {
    oid: '2.5.29.32',
    critical: false,
    value: Buffer.from('300830060604551d2000', 'hex'),
  };
  const explicitMid = makeCa('explicit-policy-intermediate', {
    issuer: root,
    extra: [requireExplicit(false)],
  });
  add({
    id: 'policy-required-leaf-without-policies',
    rule: 'intermediate requires an explicit policy (non-critical policyConstraints); no certificate lists one',
    sent: [leaf(explicitMid), explicitMid],
    trust: T,
    code: 'TLS_INVALID_POLICIES',
    goSince: {
      minor: 24,
      why: 'Go 1.24 validates certificate policies; before, policyConstraints are ignored',
    },
  });
  const explicitMidCritical = makeCa('explicit-policy-intermediate-critical', {
    issuer: root,
    extra: [requireExplicit(true)],
  });
  add({
    id: 'policy-required-critical',
    rule: 'the same with a critical policyConstraints: refused by every Go, for different reasons',
    sent: [leaf(explicitMidCritical), explicitMidCritical],
    trust: T,
    code: 'TLS_INVALID_POLICIES',
  });
  const explicitMidAny = makeCa('explicit-policy-intermediate-any', {
    issuer: root,
    extra: [requireExplicit(false), policyAny],
  });
  add({
    id: 'policy-required-and-present',
    rule: 'intermediate requires an explicit policy and lists anyPolicy; the leaf lists a policy',
    sent: [leaf(explicitMidAny, { extra: [policyDv] }), explicitMidAny],
    trust: T,
    code: 'TLS_OK',
  });
  add({
    id: 'policy-required-leaf-missing-only',
    rule: 'intermediate requires an explicit policy and lists anyPolicy; the leaf lists none',
    sent: [leaf(explicitMidAny), explicitMidAny],
    trust: T,
    code: 'TLS_INVALID_POLICIES',
    goSince: {
      minor: 24,
      why: 'Go 1.24 validates certificate policies; before, policyConstraints are ignored',
    },
  });

  add({
    id: 'duplicate-extension',
    rule: 'the same extension twice',
    sent: [
      leaf(root, {
        extra: [
          { oid: UNKNOWN_OID, critical: false },
          { oid: UNKNOWN_OID, critical: false },
        ],
      }),
    ],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
  });

  // byte-exact issuer linking
  const printableRoot = makeCa('kubernetes-ca-printable', {
    subject: { cn: 'kubernetes-ca-printable', encoding: 'printable' },
  });
  add({
    id: 'issuer-encoding-differs',
    rule: 'leaf issuer UTF8String, CA subject PrintableString',
    sent: [leaf(printableRoot, { issuerName: { cn: 'kubernetes-ca-printable', encoding: 'utf8' } })],
    trust: [printableRoot],
    code: 'TLS_ISSUER_NAME_ENCODING',
  });
  add({
    id: 'issuer-encoding-same',
    rule: 'leaf issuer copied from a PrintableString CA subject',
    sent: [leaf(printableRoot)],
    trust: [printableRoot],
    code: 'TLS_OK',
  });

  // serial numbers
  const negative = Buffer.from([0x80, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77]);
  const why = 'Go 1.23 made ParseCertificate refuse negative serial numbers (kubelet 1.32 and later)';
  add({
    id: 'negative-serial-leaf',
    rule: 'leaf with a negative serial',
    sent: [leaf(root, { serial: negative })],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
    goSince: { minor: 23, why },
  });
  const negStranger = makeCa('negative-serial-stranger', { serial: negative });
  add({
    id: 'negative-serial-unused-extra',
    rule: 'an extra certificate, not on the path, with a negative serial',
    sent: [leaf(root), negStranger],
    trust: T,
    code: 'TLS_CERT_UNPARSEABLE',
    goSince: { minor: 23, why },
  });
  add({
    id: 'certificate-message-over-64k',
    rule: 'a Certificate message of about 70 KiB (a large non-critical extension on the leaf)',
    sent: [leaf(root, { extra: [{ oid: UNKNOWN_OID, critical: false, value: Buffer.alloc(70_000, 0x41) }] })],
    trust: T,
    code: 'TLS_OK',
    goSince: {
      minor: 20,
      why: 'Go 1.20 reads Certificate messages up to 256 KiB; before, handshake messages over 64 KiB fail',
    },
  });
  const negRoot = makeCa('negative-serial-ca', { serial: negative });
  add({
    id: 'negative-serial-trusted-ca',
    rule: 'the bundle CA has a negative serial: Go 1.23+ skip it when loading the bundle',
    sent: [leaf(negRoot)],
    trust: [negRoot],
    code: 'TLS_UNTRUSTED_ISSUER',
    goSince: { minor: 23, why: 'Go 1.23 made AppendCertsFromPEM skip a CA with a negative serial number' },
  });
  add({
    id: 'serial-one-byte',
    rule: 'small positive serial',
    sent: [leaf(root, { serial: Buffer.from([0x01]) })],
    trust: T,
    code: 'TLS_OK',
  });

  return cases;
}
