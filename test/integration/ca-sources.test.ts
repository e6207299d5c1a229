import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { type CaBundle, CaSourceError } from '../../functions/core/ca/bundle.ts';
import { importCaBundle, KEPT } from '../../functions/core/ca/import.ts';
import { readKeysetFromStateStore } from '../../functions/core/ca/keyset-store.ts';
import { MAX_NODE_GROUPS, MAX_NODEUP_CONFIG_BYTES } from '../../functions/core/ca/nodeup.ts';
import { loadCaTrust } from '../../functions/core/ca/sources.ts';
import type { CaTrust } from '../../functions/core/ca/trust.ts';
import type { CaSource } from '../../functions/core/config/schema.ts';
import { probeTls, tlsFinding } from '../../functions/core/tls/probe.ts';
import { createCa, issueServerCert, keysetYaml, nodeupConfigYaml, type TestCa } from '../../sandbox/pki.ts';
import { createStateStoreBucket } from '../../sandbox/state-store.ts';
import { Endpoints, LOOPBACK, startTlsServer } from '../../sandbox/tls-servers.ts';
import { withMoto } from '../support/moto-hooks.ts';

const CLUSTER = 'k8s.example.com';
const BUCKET = 'kops-state-example';
const PARAM = '/kops-api-sentinel/k8s.example.com/ca';

const moto = withMoto();
let clients: AwsClients;
let retired: TestCa;
let current: TestCa;
let next: TestCa;

const cluster = (ca: CaSource) => ({ name: CLUSTER, ca });
const API = `api.internal.${CLUSTER}`;
const endpoints = new Endpoints();

/** The one bundle of a cluster-wide source (ssm, inline). */
async function loadBundle(ca: CaSource): Promise<CaBundle> {
  const trust = await loadCaTrust(cluster(ca), clients);
  expect(trust.groups).toHaveLength(1);
  expect(trust.groups[0]?.group).toBeUndefined();
  return (trust.groups[0] as { bundle: CaBundle }).bundle;
}

const nodeupKey = (group: string, prefix = 'kops') =>
  `${prefix ? `${prefix}/` : ''}${CLUSTER}/igconfig/node/${group}/nodeupconfig.yaml`;
const stateStore = (prefix = 'kops'): CaSource => ({
  source: 'state-store',
  stateStore: `s3://${BUCKET}${prefix ? `/${prefix}` : ''}`,
});

const keyset = (): string =>
  keysetYaml({
    keys: [
      { id: '6992130000000000001', ca: retired, distrustTimestamp: '2024-06-01T00:00:00Z' },
      { id: '7201230000000000002', ca: current },
      { id: '7301230000000000003', ca: next },
    ],
  });

async function putObject(key: string, body: string): Promise<void> {
  await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** Lines of every private key and their base64 form as they appear in a keyset. */
function privateFragments(): string[] {
  return [retired, current, next].flatMap((ca) => [
    Buffer.from(ca.keyPem).toString('base64').slice(0, 40),
    ...ca.keyPem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
  ]);
}

beforeAll(async () => {
  [retired, current, next] = await Promise.all([
    createCa('kubernetes-ca-2021'),
    createCa('kubernetes-ca-2024'),
    createCa('kubernetes-ca-2025'),
  ]);
});

afterAll(async () => {
  await endpoints.closeAll();
});

afterEach(async () => {
  await endpoints.closeAll();
});

beforeEach(async () => {
  await moto().reset();
  clients = createAwsClients();
  await createStateStoreBucket(clients.s3, BUCKET);
});

describe('CA from SSM', () => {
  it('reads a String parameter holding the PEM bundle', async () => {
    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAM, Type: 'String', Value: `${current.certPem}${next.certPem}` }),
    );
    const bundle = await loadBundle({ source: 'ssm', parameterName: PARAM });
    expect(bundle.source).toBe(`ssm:${PARAM}`);
    expect(bundle.subjects).toEqual(['CN=kubernetes-ca-2024', 'CN=kubernetes-ca-2025']);
  });

  it('reads a SecureString parameter (decrypted)', async () => {
    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAM, Type: 'SecureString', Value: current.certPem }),
    );
    const bundle = await loadBundle({ source: 'ssm', parameterName: PARAM });
    expect(bundle.fingerprints).toEqual([current.x509.fingerprint256]);
  });

  it('names the parameter when it is missing or does not hold a CA', async () => {
    const missing = await errorOf(loadBundle({ source: 'ssm', parameterName: PARAM }));
    expect(missing).toBeInstanceOf(CaSourceError);
    expect(missing.message).toBe(`SSM parameter ${PARAM} does not exist (run \`ca import\` to create it)`);

    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAM, Type: 'String', Value: 'not a certificate' }),
    );
    const garbage = await errorOf(loadBundle({ source: 'ssm', parameterName: PARAM }));
    expect(garbage.message).toContain(`ssm:${PARAM}: no PEM certificate found`);
  });
});

describe('CA inline, or not configured', () => {
  it('reads an inline bundle', async () => {
    const bundle = await loadBundle({ source: 'inline', pem: current.certPem });
    expect(bundle.subjects).toEqual(['CN=kubernetes-ca-2024']);
  });
});

describe('CA from the kops state store: what each node group trusts', () => {
  it('reads CAs.kubernetes-ca of every node group under a prefix, and nothing else', async () => {
    await putObject(nodeupKey('nodes-eu-west-1b'), nodeupConfigYaml({ cas: [current, next] }));
    await putObject(nodeupKey('nodes-eu-west-1a'), nodeupConfigYaml({ cas: [current] }));
    // beside them: kops' other igconfig file, a control-plane group, and the keyset with the key
    await putObject(`kops/${CLUSTER}/igconfig/node/nodes-eu-west-1a/auxconfig.yaml`, 'garbage: [');
    await putObject(
      `kops/${CLUSTER}/igconfig/control-plane/control-plane-eu-west-1a/nodeupconfig.yaml`,
      'x: [',
    );
    await putObject(`kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`, keyset());

    // every S3 request the source makes, as sent to moto
    const asked: string[] = [];
    clients.s3.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: string; Prefix?: string };
        asked.push(`${context.commandName} ${input.Key ?? input.Prefix ?? ''}`);
        return next(args);
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    const trust = await loadCaTrust(cluster(stateStore()), clients);
    clients.s3.middlewareStack.remove('recordRequests');
    const dir = `kops/${CLUSTER}/igconfig/node/`;
    expect(asked.sort()).toEqual([
      `GetObjectCommand ${dir}nodes-eu-west-1a/nodeupconfig.yaml`,
      `GetObjectCommand ${dir}nodes-eu-west-1b/nodeupconfig.yaml`,
      `ListObjectsV2Command ${dir}`,
    ]);
    expect(trust.source).toBe(`s3://${BUCKET}/kops/${CLUSTER}/igconfig/node/`);
    expect(trust.groups.map((g) => g.group)).toEqual(['nodes-eu-west-1a', 'nodes-eu-west-1b']);
    expect(trust.groups.map((g) => g.bundle.subjects)).toEqual([
      ['CN=kubernetes-ca-2024'],
      ['CN=kubernetes-ca-2024', 'CN=kubernetes-ca-2025'],
    ]);
    expect(trust.groups[1]?.bundle.fingerprints).toEqual([
      current.x509.fingerprint256,
      next.x509.fingerprint256,
    ]);
    expect(trust.groups[0]?.bundle.source).toBe(`s3://${BUCKET}/${nodeupKey('nodes-eu-west-1a')}`);
  });

  it('works without a prefix', async () => {
    await putObject(nodeupKey('nodes', ''), nodeupConfigYaml({ cas: [current] }));
    const trust = await loadCaTrust(cluster(stateStore('')), clients);
    expect(trust.groups.map((g) => g.group)).toEqual(['nodes']);
  });

  it('never falls back to the keyset: a state store with only pki/ is no CA', async () => {
    await putObject(`kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`, keyset());
    const err = await errorOf(loadCaTrust(cluster(stateStore()), clients));
    expect(err).toBeInstanceOf(CaSourceError);
    expect(err.message).toBe(
      `no node group nodeup config for cluster ${CLUSTER} under s3://${BUCKET}/kops/${CLUSTER}/igconfig/node/ ` +
        '(expected <instance group>/nodeupconfig.yaml, written by kops update cluster)',
    );
  });

  it('fails the whole source when one group has no usable kubernetes-ca, naming the object and quoting nothing', async () => {
    await putObject(nodeupKey('nodes-a'), nodeupConfigYaml({ cas: [current] }));
    const secret = privateFragments()[0] ?? 'x';
    await putObject(nodeupKey('nodes-b'), `CAs:\n  etcd-ca: "${secret}"\nKeypairIDs: {}\n`);
    const missing = await errorOf(loadCaTrust(cluster(stateStore()), clients));
    expect(missing.message).toBe(`s3://${BUCKET}/${nodeupKey('nodes-b')}: CAs.kubernetes-ca is missing`);
    await putObject(nodeupKey('nodes-b'), `CAs:\n  kubernetes-ca: "${secret}\nbroken: [`);
    const broken = await errorOf(loadCaTrust(cluster(stateStore()), clients));
    expect(broken.message).toMatch(
      new RegExp(`^s3://${BUCKET}/kops/.*/nodes-b/nodeupconfig\\.yaml: not a valid YAML document \\(`),
    );
    for (const m of [missing.message, broken.message]) expect(m).not.toContain(secret);
  });

  it('takes only the certificates of CAs.kubernetes-ca, ignoring any other text or block there', async () => {
    const withKey = nodeupConfigYaml({ cas: [current] }).replace(
      'kubernetes-ca: |',
      `kubernetes-ca: |\n    ${current.keyPem.trim().split('\n').join('\n    ')}`,
    );
    expect(withKey).toContain('PRIVATE KEY');
    await putObject(nodeupKey('nodes'), withKey);
    const trust = await loadCaTrust(cluster(stateStore()), clients);
    expect(trust.groups[0]?.bundle.fingerprints).toEqual([current.x509.fingerprint256]);
  });

  it('refuses an oversized nodeup config before reading it, and more node groups than the bound', async () => {
    await putObject(
      nodeupKey('nodes'),
      `# ${'x'.repeat(MAX_NODEUP_CONFIG_BYTES)}\n${nodeupConfigYaml({ cas: [current] })}`,
    );
    const big = await errorOf(loadCaTrust(cluster(stateStore()), clients));
    expect(big.message).toMatch(/nodes\/nodeupconfig\.yaml: \d+ bytes is too large for a nodeup config$/);

    await clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: nodeupKey('nodes'), Body: 'CAs: {}' }));
    await Promise.all(
      Array.from({ length: MAX_NODE_GROUPS }, (_, i) => putObject(nodeupKey(`nodes-${i}`), 'CAs: {}')),
    );
    const many = await errorOf(loadCaTrust(cluster(stateStore()), clients));
    expect(many.message).toBe(
      `s3://${BUCKET}/kops/${CLUSTER}/igconfig/node/: more than ${MAX_NODE_GROUPS} node groups; refusing to judge a subset of them`,
    );
  });

  it('names the bucket when listing fails', async () => {
    const err = await errorOf(
      loadCaTrust(cluster({ source: 'state-store', stateStore: 's3://no-such-bucket-here' }), clients),
    );
    expect(err.message).toMatch(
      new RegExp(
        `^listing s3://no-such-bucket-here/${CLUSTER.replaceAll('.', '\\.')}/igconfig/node/ failed: NoSuchBucket`,
      ),
    );
  });
});

describe('one handshake, judged against each node group (real TLS servers)', () => {
  async function serve(ca: TestCa) {
    const cert = await issueServerCert(ca, { dns: [API], ips: [LOOPBACK] });
    return endpoints.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem }));
  }
  const target = (port: number) => ({
    resource: 'i-0123456789abcdef0',
    host: LOOPBACK,
    port,
    servername: API,
  });
  const OPTS = { timeoutMs: 2000, expiryWarningDays: 30 };

  async function rotationInFlight(): Promise<CaTrust> {
    // nodes-a has the new CA already; nodes-b and nodes-c still trust only the current one
    await putObject(nodeupKey('nodes-a'), nodeupConfigYaml({ cas: [current, next] }));
    await putObject(nodeupKey('nodes-b'), nodeupConfigYaml({ cas: [current] }));
    await putObject(nodeupKey('nodes-c'), nodeupConfigYaml({ cas: [current] }));
    return loadCaTrust(cluster(stateStore()), clients);
  }

  it('a chain every group accepts is OK', async () => {
    const trust = await rotationInFlight();
    const server = await serve(current);
    const result = await probeTls(target(server.port), trust, OPTS);
    expect(result.code).toBe('TLS_OK');
    expect(result.nodeGroups).toEqual({ rejectedBy: [], acceptedBy: ['nodes-a', 'nodes-b', 'nodes-c'] });
    expect(server.servernames).toHaveLength(1);
  });

  it('a chain some groups reject is drift naming those groups, after one handshake', async () => {
    const trust = await rotationInFlight();
    const server = await serve(next);
    const result = await probeTls(target(server.port), trust, OPTS);
    expect(server.servernames).toHaveLength(1);
    expect(result.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(result.nodeGroups?.acceptedBy).toEqual(['nodes-a']);
    expect(result.nodeGroups?.rejectedBy.map((r) => [r.group, r.code])).toEqual([
      ['nodes-b', 'TLS_UNTRUSTED_ISSUER'],
      ['nodes-c', 'TLS_UNTRUSTED_ISSUER'],
    ]);
    expect(result.reason).toMatch(/^node groups nodes-b, nodes-c would reject it: /);
    expect(result.reason).toContain('accepted by nodes-a');
    const f = tlsFinding({ name: CLUSTER }, result);
    expect(f.severity).toBe('critical');
    expect(f.message).toContain('nodes-b, nodes-c would reject it');
    expect(f.details).toMatchObject({ nodeGroups: { acceptedBy: ['nodes-a'] } });
  });

  it('a chain no group trusts names them all', async () => {
    const trust = await rotationInFlight();
    const server = await serve(retired);
    const result = await probeTls(target(server.port), trust, OPTS);
    expect(result.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(result.nodeGroups?.acceptedBy).toEqual([]);
    expect(result.reason).toMatch(/^node groups nodes-a, nodes-b, nodes-c would reject it: /);
  });
});

describe("ca import reads the keyset from the state store, with the operator's credentials", () => {
  it('reads the 1.22+ kubernetes-ca keyset under a prefix, trusting only keys not distrusted', async () => {
    await putObject(`kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`, keyset());
    const found = await readKeysetFromStateStore(`s3://${BUCKET}/kops/`, CLUSTER, clients.s3);
    expect(found.key).toBe(`kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`);
    expect(found.tried).toEqual([found.key]);
    expect(found.bundle.subjects).toEqual(['CN=kubernetes-ca-2024', 'CN=kubernetes-ca-2025']);
    expect(found.distrustedIds).toEqual(['6992130000000000001']);

    expect(found.bundle.fingerprints).toEqual([current.x509.fingerprint256, next.x509.fingerprint256]);
  });

  it('falls back to pki/issued/ca, then pki/private/ca (kops up to 1.21)', async () => {
    await putObject(
      `${CLUSTER}/pki/private/ca/keyset.yaml`,
      keysetYaml({ keys: [{ id: '1', ca: retired }] }),
    );
    const third = await readKeysetFromStateStore(`s3://${BUCKET}`, CLUSTER, clients.s3);
    expect(third.tried).toEqual([
      `${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`,
      `${CLUSTER}/pki/issued/ca/keyset.yaml`,
      `${CLUSTER}/pki/private/ca/keyset.yaml`,
    ]);
    expect(third.bundle.subjects).toEqual(['CN=kubernetes-ca-2021']);

    await putObject(
      `${CLUSTER}/pki/issued/ca/keyset.yaml`,
      keysetYaml({ keys: [{ id: '2', ca: current, withoutPrivate: true }] }),
    );
    const second = await readKeysetFromStateStore(`s3://${BUCKET}`, CLUSTER, clients.s3);
    expect(second.key).toBe(`${CLUSTER}/pki/issued/ca/keyset.yaml`);
    expect(second.bundle.subjects).toEqual(['CN=kubernetes-ca-2024']);

    await putObject(`${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`, keyset());
    const first = await readKeysetFromStateStore(`s3://${BUCKET}`, CLUSTER, clients.s3);
    expect(first.key).toBe(`${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`);
  });

  it('names every key tried when none exists', async () => {
    const err = await errorOf(readKeysetFromStateStore(`s3://${BUCKET}/kops`, CLUSTER, clients.s3));
    expect(err).toBeInstanceOf(CaSourceError);
    expect(err.message).toBe(
      `no CA keyset for cluster ${CLUSTER} in s3://${BUCKET}: tried ` +
        `s3://${BUCKET}/kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml, ` +
        `s3://${BUCKET}/kops/${CLUSTER}/pki/issued/ca/keyset.yaml, ` +
        `s3://${BUCKET}/kops/${CLUSTER}/pki/private/ca/keyset.yaml`,
    );
  });

  it('stops at an error other than a missing key, naming bucket and key', async () => {
    const err = await errorOf(readKeysetFromStateStore('s3://no-such-bucket-here', CLUSTER, clients.s3));
    expect(err.message).toMatch(
      new RegExp(
        `^reading s3://no-such-bucket-here/${CLUSTER.replaceAll('.', '\\.')}/pki/private/kubernetes-ca/keyset\\.yaml failed: NoSuchBucket`,
      ),
    );
  });

  it('names the object when the keyset is malformed, without quoting it', async () => {
    await putObject(
      `${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`,
      keyset().replace('kind: Keyset', 'kind: Secret'),
    );
    const err = await errorOf(readKeysetFromStateStore(`s3://${BUCKET}`, CLUSTER, clients.s3));
    expect(err.message).toContain(
      `s3://${BUCKET}/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml: not a kops Keyset`,
    );
    for (const fragment of privateFragments()) expect(err.message).not.toContain(fragment);
  });
});

describe('importCaBundle', () => {
  const ssmCluster = () => cluster({ source: 'ssm', parameterName: PARAM });

  it('writes the public bundle of a keyset file to the SSM parameter as a String, and nothing private', async () => {
    const summary = await importCaBundle({
      cluster: ssmCluster(),
      clients,
      keysetText: keyset(),
      keysetSource: 'keyset.yaml',
    });
    expect(summary).toMatchObject({
      cluster: CLUSTER,
      parameterName: PARAM,
      source: 'keyset.yaml',
      count: 2,
      fingerprints: [current.x509.fingerprint256, next.x509.fingerprint256],
      distrustedIds: ['6992130000000000001'],
      primaryId: '7301230000000000003',
      changed: true,
    });
    const stored = await clients.ssm.send(new GetParameterCommand({ Name: PARAM }));
    expect(stored.Parameter?.Type).toBe('String');
    const value = stored.Parameter?.Value ?? '';
    expect(value.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(value).not.toMatch(/PRIVATE|privateMaterial/);
    for (const fragment of privateFragments()) expect(value).not.toContain(fragment);
    expect(JSON.stringify({ ...summary, kept: '' })).not.toMatch(/PRIVATE|privateMaterial/);
    expect(summary.kept).toBe(KEPT);
    expect(KEPT).toMatch(/^public certificates only/);

    const loaded = await loadBundle(ssmCluster().ca);
    expect(loaded.fingerprints).toEqual(summary.fingerprints);
  });

  it('writes nothing when the parameter already holds the bundle, and overwrites a stale one', async () => {
    await clients.ssm.send(new PutParameterCommand({ Name: PARAM, Type: 'String', Value: retired.certPem }));
    const first = await importCaBundle({ cluster: ssmCluster(), clients, keysetText: keyset() });
    expect(first.changed).toBe(true);
    const again = await importCaBundle({ cluster: ssmCluster(), clients, keysetText: keyset() });
    expect(again.changed).toBe(false);
    const stored = await clients.ssm.send(new GetParameterCommand({ Name: PARAM }));
    expect(stored.Parameter?.Version).toBe(2);
  });

  it('reads the keyset from a state store', async () => {
    await putObject(`${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`, keyset());
    const summary = await importCaBundle({ cluster: ssmCluster(), clients, stateStore: `s3://${BUCKET}` });
    expect(summary.source).toBe(`s3://${BUCKET}/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`);
    expect(summary.count).toBe(2);
  });

  it('refuses a cluster whose CA source is not SSM, and an ambiguous input', async () => {
    const notSsm = await errorOf(
      importCaBundle({
        cluster: cluster({ source: 'inline', pem: current.certPem }),
        clients,
        keysetText: keyset(),
      }),
    );
    expect(notSsm.message).toMatch(
      /cluster k8s\.example\.com has CA source inline; ca import writes to an SSM parameter/,
    );
    const both = await errorOf(
      importCaBundle({ cluster: ssmCluster(), clients, keysetText: keyset(), stateStore: `s3://${BUCKET}` }),
    );
    expect(both.message).toMatch(/exactly one of a keyset file or a state store/);
    const neither = await errorOf(importCaBundle({ cluster: ssmCluster(), clients }));
    expect(neither.message).toMatch(/exactly one/);
  });
});
