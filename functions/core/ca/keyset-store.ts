import type { S3Client } from '@aws-sdk/client-s3';
import { CaSourceError, MAX_BUNDLE_CHARS } from './bundle.ts';
import { type KeysetBundle, parseKeyset } from './keyset.ts';
import { ACCESS_DENIED, clusterKey, getObjectText, parseStateStoreUrl } from './s3-text.ts';

/**
 * The kops CA keyset in the state store, for `ca import` ONLY: it runs with the operator's own
 * credentials. These objects hold the CA private key as well as its certificate; no deployed
 * function reads them (the verifier's state-store source reads the node groups' nodeup configs,
 * see nodeup.ts), and the stack grants no function anything under `pki/`.
 */

/** Where kops keeps the cluster CA keyset, newest layout first (1.22+ `kubernetes-ca`, then `ca`). */
export const KEYSET_PATHS = [
  'pki/private/kubernetes-ca/keyset.yaml',
  'pki/issued/ca/keyset.yaml',
  'pki/private/ca/keyset.yaml',
] as const;

export interface StateStoreKeyset extends KeysetBundle {
  bucket: string;
  /** The object the keyset was read from. */
  key: string;
  /** Every key tried, in order, up to and including `key`. */
  tried: string[];
}

/** The S3 keys tried for a cluster's CA keyset, in order. */
export function keysetKeys(prefix: string, clusterName: string): string[] {
  return KEYSET_PATHS.map((path) => clusterKey(prefix, clusterName, path));
}

/**
 * Reads the cluster CA keyset from the kops state store, trying the 1.22+ `kubernetes-ca` keyset
 * first, then the older `ca` keysets. A missing key moves on to the next; any other error stops.
 * Only public material is returned (parseKeyset drops privateMaterial before anything reads it).
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
    const text = await getObjectText(s3, bucket, key, MAX_BUNDLE_CHARS, 'a kops Keyset');
    if (text === ACCESS_DENIED) {
      // without s3:ListBucket, S3 answers a missing key with AccessDenied: try the next layout
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
        ? ` (AccessDenied on ${denied.length} of them: missing, or not readable with these credentials; S3 says AccessDenied for a missing key without s3:ListBucket)`
        : ''),
  );
}
