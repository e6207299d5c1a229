import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { stringify } from 'yaml';

/**
 * A test PKI: CAs, intermediates and serving certificates generated per test run (ECDSA P-256,
 * fast), as PEM for Node's tls.createServer and as Node X509Certificate objects for pure tests.
 */

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  any: '2.5.29.37.0',
} as const;

export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

type KeyPair = Awaited<ReturnType<typeof webcrypto.subtle.generateKey>> & {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
};

export interface Issued {
  /** PEM of this certificate alone. */
  certPem: string;
  /** PKCS#8 PEM private key. */
  keyPem: string;
  /** Node's view of the certificate. */
  x509: NodeX509Certificate;
  subject: string;
  keys: KeyPair;
}

export interface TestCa extends Issued {
  name: string;
}

export interface ServerCertOptions extends Validity {
  /** Subject CN; default `kubernetes-master` (kops' apiserver serving certificate). */
  commonName?: string;
  dns?: string[];
  ips?: string[];
  /** Extended key usages; default [serverAuth]; an empty list leaves the extension out. */
  eku?: string[];
}

type GeneratorKey = x509.X509CertificateCreateWithKeyParams['signingKey'];
const asKey = (k: webcrypto.CryptoKey): GeneratorKey => k as unknown as GeneratorKey;

async function newKeys(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as KeyPair;
}

async function keyPem(keys: KeyPair): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function validity(opts: Validity): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return {
    notBefore: opts.notBefore ?? new Date(now - HOUR),
    notAfter: opts.notAfter ?? new Date(now + 365 * DAY),
  };
}

async function finish(cert: x509.X509Certificate, keys: KeyPair): Promise<Issued> {
  const certPem = cert.toString('pem');
  return {
    certPem,
    keyPem: await keyPem(keys),
    x509: new NodeX509Certificate(certPem),
    subject: cert.subject,
    keys,
  };
}

async function caExtensions(keys: KeyPair, issuer?: TestCa): Promise<x509.Extension[]> {
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(asKey(keys.publicKey)),
  ];
  if (issuer) ext.push(await x509.AuthorityKeyIdentifierExtension.create(asKey(issuer.keys.publicKey)));
  return ext;
}

/** A self-signed CA (like kops' `kubernetes-ca`), or, with `issuer`, an intermediate CA. */
export async function createCa(name: string, opts: Validity & { issuer?: TestCa } = {}): Promise<TestCa> {
  const keys = await newKeys();
  const extensions = await caExtensions(keys, opts.issuer);
  const cert = opts.issuer
    ? await x509.X509CertificateGenerator.create({
        subject: `CN=${name}`,
        issuer: opts.issuer.subject,
        publicKey: asKey(keys.publicKey),
        signingKey: asKey(opts.issuer.keys.privateKey),
        signingAlgorithm: ALG,
        extensions,
        ...validity(opts),
      })
    : await x509.X509CertificateGenerator.createSelfSigned({
        name: `CN=${name}`,
        keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
        signingAlgorithm: ALG,
        extensions,
        ...validity(opts),
      });
  return { ...(await finish(cert, keys)), name };
}

export function createIntermediateCa(name: string, parent: TestCa, opts: Validity = {}): Promise<TestCa> {
  return createCa(name, { ...opts, issuer: parent });
}

/** A serving certificate signed by `ca`. */
export async function issueServerCert(ca: TestCa, opts: ServerCertOptions = {}): Promise<Issued> {
  const keys = await newKeys();
  const names: x509.JsonGeneralName[] = [
    ...(opts.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const eku = opts.eku ?? [EKU.serverAuth];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(asKey(ca.keys.publicKey)),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
  if (eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku));
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${opts.commonName ?? 'kubernetes-master'}`,
    issuer: ca.subject,
    publicKey: asKey(keys.publicKey),
    signingKey: asKey(ca.keys.privateKey),
    signingAlgorithm: ALG,
    extensions,
    ...validity(opts),
  });
  return finish(cert, keys);
}

export interface KeysetKey {
  id: string;
  ca: TestCa;
  /** Set to mark the key distrusted (kops `distrust keypair`). */
  distrustTimestamp?: string;
  /** Leave out privateMaterial (older per-file layouts). Default: included, as kops writes it. */
  withoutPrivate?: boolean;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A kops `Keyset` document, as kops writes `pki/private/kubernetes-ca/keyset.yaml`. */
export function keysetYaml(input: { keys: KeysetKey[]; primaryId?: string; name?: string }): string {
  return stringify({
    apiVersion: 'kops.k8s.io/v1alpha2',
    kind: 'Keyset',
    metadata: { creationTimestamp: null, name: input.name ?? 'kubernetes-ca' },
    spec: {
      keys: input.keys.map((k) => ({
        id: k.id,
        publicMaterial: b64(k.ca.certPem),
        ...(k.withoutPrivate ? {} : { privateMaterial: b64(k.ca.keyPem) }),
        ...(k.distrustTimestamp ? { distrustTimestamp: k.distrustTimestamp } : {}),
      })),
      primaryId: input.primaryId ?? input.keys[input.keys.length - 1]?.id,
      type: 'Keypair',
    },
  });
}

export const days = (n: number): number => n * DAY;

/**
 * A kops nodeup config (`<state store>/<cluster>/igconfig/node/<ig>/nodeupconfig.yaml`) trusting
 * the given CAs as `CAs.kubernetes-ca`, with a few of the other fields kops writes beside it.
 */
export function nodeupConfigYaml(input: { cas: TestCa[]; extra?: Record<string, unknown> }): string {
  return stringify({
    Assets: { amd64: ['0123abcd@https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubelet'] },
    CAs: {
      'etcd-clients-ca': input.cas[0]?.certPem ?? '',
      'kubernetes-ca': input.cas.map((ca) => ca.certPem.trim()).join('\n'),
    },
    KeypairIDs: { 'kubernetes-ca': '7201230000000000002' },
    KubeletConfig: { anonymousAuth: false, nodeLabels: { 'kops.k8s.io/instancegroup': 'nodes' } },
    ...input.extra,
  });
}
