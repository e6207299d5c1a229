import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { type CaBundle, CaSourceError, MAX_BUNDLE_CHARS, parsePemBundle } from './bundle.ts';
import { type KeysetBundle, parseKeyset } from './keyset.ts';

/** Where kops keeps the cluster CA keyset, newest layout first (1.22+ `kubernetes-ca`, then `ca`). */
export const KEYSET_PATHS = [
  'pki/private/kubernetes-ca/keyset.yaml',
  'pki/issued/ca/keyset.yaml',
  'pki/private/ca/keyset.yaml',
] as const;

export interface StateStoreLocation {
  bucket: string;
  prefix: string;
}

export interface StateStoreKeyset extends KeysetBundle {
  bucket: string;
  /** The object the keyset was read from. */
  key: string;
  /** Every key tried, in order, up to and including `key`. */
  tried: string[];
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** getObjectText's answer for a key S3 refused to read (missing without ListBucket, or forbidden). */
const ACCESS_DENIED = Symbol('access denied');

function awsError(err: unknown): { name: string; message: string; status: number | undefined } {
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsErrorShape;
  return { name: e.name ?? 'Error', message: e.message ?? String(err), status: e.$metadata?.httpStatusCode };
}

/** Splits `s3://bucket[/prefix]`. */
export function parseStateStoreUrl(url: string): StateStoreLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!match?.[1]) {
    throw new CaSourceError(url, `state store ${JSON.stringify(url)} is not an s3://bucket[/prefix] URL`);
  }
  return { bucket: match[1], prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** The S3 keys tried for a cluster's CA keyset, in order. */
export function keysetKeys(prefix: string, clusterName: string): string[] {
  return KEYSET_PATHS.map((path) => [prefix, clusterName, path].filter((part) => part !== '').join('/'));
}

/** Reads `<text>` of an S3 object; `undefined` when the key does not exist. */
async function getObjectText(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<string | undefined | typeof ACCESS_DENIED> {
  const where = `s3://${bucket}/${key}`;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (res.ContentLength !== undefined && res.ContentLength > MAX_BUNDLE_CHARS) {
      await res.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      throw new CaSourceError(where, `${where}: ${res.ContentLength} bytes is too large for a kops Keyset`);
    }
    return (await res.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (err instanceof CaSourceError) throw err;
    const e = awsError(err);
    if (e.name === 'NoSuchKey' || (e.status === 404 && e.name !== 'NoSuchBucket')) return undefined;
    // Without s3:ListBucket (the stack grants GetObject on the three keyset keys only), S3 answers
    // a missing key with AccessDenied: treat it as missing so the next layout is tried.
    if (e.name === 'AccessDenied') return ACCESS_DENIED;
    throw new CaSourceError(where, `reading ${where} failed: ${e.name}: ${e.message}`);
  }
}

/**
 * Reads the cluster CA keyset from the kops state store, trying the 1.22+ `kubernetes-ca` keyset
 * first, then the older `ca` keysets. A missing key moves on to the next; any other error stops.
 * Only public material is returned (see parseKeyset).
 */
export async function readKeysetFromStateStore(
  stateStoreUrl: string,
  clusterName: string,
  s3: S3Client,
): Promise<StateStoreKeyset> {
  const { bucket, prefix } = parseStateStoreUrl(stateStoreUrl);
  const tried: string[] = [];
  const denied: string[] = [];
  for (const key of keysetKeys(prefix, clusterName)) {
    tried.push(key);
    const text = await getObjectText(s3, bucket, key);
    if (text === ACCESS_DENIED) {
      denied.push(key);
      continue;
    }
    if (text === undefined) continue;
    const keyset = parseKeyset(text, `s3://${bucket}/${key}`);
    return { ...keyset, bucket, key, tried };
  }
  throw new CaSourceError(
    stateStoreUrl,
    `no CA keyset for cluster ${clusterName} in s3://${bucket}: tried ${tried.map((k) => `s3://${bucket}/${k}`).join(', ')}` +
      (denied.length > 0
        ? ` (AccessDenied on ${denied.length} of them: missing, or not readable by this role; S3 says AccessDenied for a missing key without s3:ListBucket)`
        : ''),
  );
}

/** Reads a PEM bundle from an SSM parameter (String or SecureString). */
export async function readSsmBundle(parameterName: string, ssm: SSMClient): Promise<CaBundle> {
  const where = `ssm:${parameterName}`;
  let value: string | undefined;
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
    value = res.Parameter?.Value;
  } catch (err) {
    const e = awsError(err);
    if (e.name === 'ParameterNotFound') {
      throw new CaSourceError(
        where,
        `SSM parameter ${parameterName} does not exist (run \`ca import\` to create it)`,
      );
    }
    throw new CaSourceError(where, `reading SSM parameter ${parameterName} failed: ${e.name}: ${e.message}`);
  }
  if (!value) throw new CaSourceError(where, `SSM parameter ${parameterName} is empty`);
  return parsePemBundle(value, where);
}

/** Loads the CA bundle a cluster's TLS verdicts trust, from the source its config names. */
export async function loadCaBundle(
  cluster: Pick<ClusterConfig, 'name' | 'ca'>,
  clients: Pick<AwsClients, 'ssm' | 's3'>,
): Promise<CaBundle> {
  const ca = cluster.ca;
  switch (ca.source) {
    case 'inline':
      return parsePemBundle(ca.pem, `inline CA of cluster ${cluster.name}`);
    case 'ssm':
      return readSsmBundle(ca.parameterName, clients.ssm);
    case 'state-store':
      return (await readKeysetFromStateStore(ca.stateStore, cluster.name, clients.s3)).bundle;
  }
}
