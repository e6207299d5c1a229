import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients } from '../../functions/core/aws/clients.ts';
import { CaSourceError } from '../../functions/core/ca/bundle.ts';
import { importCaBundle } from '../../functions/core/ca/import.ts';
import { loadCaBundle, readKeysetFromStateStore } from '../../functions/core/ca/sources.ts';
import type { CaSource } from '../../functions/core/config/schema.ts';
import { type Moto, startMoto } from '../../sandbox/moto.ts';
import { createCa, keysetYaml, type TestCa } from '../../sandbox/pki.ts';

const CLUSTER = 'k8s.example.com';
const BUCKET = 'kops-state-example';
const PARAM = '/kops-api-sentinel/k8s.example.com/ca';

let moto: Moto;
let clients: AwsClients;
let retired: TestCa;
let current: TestCa;
let next: TestCa;

const cluster = (ca: CaSource) => ({ name: CLUSTER, ca });

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
  moto = await startMoto();
  [retired, current, next] = await Promise.all([
    createCa('kubernetes-ca-2021'),
    createCa('kubernetes-ca-2024'),
    createCa('kubernetes-ca-2025'),
  ]);
});

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  clients = createAwsClients();
  await clients.s3.send(
    new CreateBucketCommand({
      Bucket: BUCKET,
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
});

describe('CA from SSM', () => {
  it('reads a String parameter holding the PEM bundle', async () => {
    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAM, Type: 'String', Value: `${current.certPem}${next.certPem}` }),
    );
    const bundle = await loadCaBundle(cluster({ source: 'ssm', parameterName: PARAM }), clients);
    expect(bundle.source).toBe(`ssm:${PARAM}`);
    expect(bundle.subjects).toEqual(['CN=kubernetes-ca-2024', 'CN=kubernetes-ca-2025']);
  });

  it('reads a SecureString parameter (decrypted)', async () => {
    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAM, Type: 'SecureString', Value: current.certPem }),
    );
    const bundle = await loadCaBundle(cluster({ source: 'ssm', parameterName: PARAM }), clients);
    expect(bundle.fingerprints).toEqual([current.x509.fingerprint256]);
  });

  it('names the parameter when it is missing or does not hold a CA', async () => {
    const missing = await errorOf(loadCaBundle(cluster({ source: 'ssm', parameterName: PARAM }), clients));
    expect(missing).toBeInstanceOf(CaSourceError);
    expect(missing.message).toBe(`SSM parameter ${PARAM} does not exist (run \`ca import\` to create it)`);

    await clients.ssm.send(
      new PutParameterCommand({ Name: PARAM, Type: 'String', Value: 'not a certificate' }),
    );
    const garbage = await errorOf(loadCaBundle(cluster({ source: 'ssm', parameterName: PARAM }), clients));
    expect(garbage.message).toContain(`ssm:${PARAM}: no PEM certificate found`);
  });
});

describe('CA inline, or not configured', () => {
  it('reads an inline bundle', async () => {
    const bundle = await loadCaBundle(cluster({ source: 'inline', pem: current.certPem }), clients);
    expect(bundle.subjects).toEqual(['CN=kubernetes-ca-2024']);
  });
});

describe('CA from the kops state store', () => {
  it('reads the 1.22+ kubernetes-ca keyset under a prefix, trusting only keys not distrusted', async () => {
    await putObject(`kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`, keyset());
    const found = await readKeysetFromStateStore(`s3://${BUCKET}/kops/`, CLUSTER, clients.s3);
    expect(found.key).toBe(`kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`);
    expect(found.tried).toEqual([found.key]);
    expect(found.bundle.subjects).toEqual(['CN=kubernetes-ca-2024', 'CN=kubernetes-ca-2025']);
    expect(found.distrustedIds).toEqual(['6992130000000000001']);

    const bundle = await loadCaBundle(
      cluster({ source: 'state-store', stateStore: `s3://${BUCKET}/kops` }),
      clients,
    );
    expect(bundle.fingerprints).toEqual([current.x509.fingerprint256, next.x509.fingerprint256]);
    expect(bundle.source).toBe(`s3://${BUCKET}/kops/${CLUSTER}/pki/private/kubernetes-ca/keyset.yaml`);
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
    const err = await errorOf(
      loadCaBundle(cluster({ source: 'state-store', stateStore: `s3://${BUCKET}/kops` }), clients),
    );
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
    expect(JSON.stringify(summary)).not.toMatch(/PRIVATE|privateMaterial/);

    const loaded = await loadCaBundle(ssmCluster(), clients);
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
