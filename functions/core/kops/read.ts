import type { S3Client } from '@aws-sdk/client-s3';
import { CaSourceError } from '../ca/bundle.ts';
import { ACCESS_DENIED, clusterKey, getObjectText, listNames, parseStateStoreUrl } from '../ca/s3-text.ts';
import { kopsSpecKeys } from './keys.ts';
import {
  type ClusterSpec,
  type InstanceGroupSpec,
  KopsSpecError,
  MAX_SPEC_BYTES,
  parseClusterSpec,
  parseInstanceGroup,
} from './spec.ts';

/**
 * The state-store reader: the cluster spec (`cluster-completed.spec`, with kops' defaults filled
 * in, or else `config` as written) and every instance group spec under `instancegroup/`. It reads
 * exactly what the verifier's IAM grants (permissions.ts kopsSpecReadStatements), never `pki/`.
 */

/** More instance groups than this is not a cluster we judge; refuse rather than read them all. */
export const MAX_INSTANCE_GROUPS = 100;
const MAX_LIST_PAGES = 5;
const READ_CONCURRENCY = 8;
const INSTANCE_GROUP_KEY = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

export interface KopsSpecs {
  /** `s3://bucket/<prefix>/<cluster>/`, for messages. */
  source: string;
  cluster: ClusterSpec;
  instanceGroups: InstanceGroupSpec[];
}

export type KopsSpecsRead =
  | { ok: true; specs: KopsSpecs }
  /** `key` is the `s3://` URL of the object (or prefix) that could not be read or is malformed. */
  | { ok: false; key: string; reason: string };

async function readText(s3: S3Client, bucket: string, key: string, what: string) {
  const text = await getObjectText(s3, bucket, key, MAX_SPEC_BYTES, what);
  if (text === ACCESS_DENIED) {
    throw new KopsSpecError(
      `s3://${bucket}/${key}`,
      `reading s3://${bucket}/${key} failed: AccessDenied (missing, or under a KMS key kops.kmsKeyArn does not name)`,
    );
  }
  return text;
}

/** The cluster spec: the completed spec when kops wrote one, else the spec as written. */
async function readCluster(s3: S3Client, bucket: string, keys: ReturnType<typeof kopsSpecKeys>) {
  // Without ListBucket on the cluster folder a missing object answers AccessDenied, not 404:
  // either way, fall back to `config`.
  const completed = await readText(s3, bucket, keys.completed, 'a kops cluster spec').catch((err) => {
    if (err instanceof KopsSpecError) return undefined;
    throw err;
  });
  if (completed !== undefined) return parseClusterSpec(completed, `s3://${bucket}/${keys.completed}`);
  const where = `s3://${bucket}/${keys.config}`;
  const config = await readText(s3, bucket, keys.config, 'a kops cluster spec');
  if (config === undefined) {
    throw new KopsSpecError(
      where,
      `${where} does not exist (no kops cluster of that name in the state store)`,
    );
  }
  return parseClusterSpec(config, where);
}

async function readGroup(s3: S3Client, bucket: string, key: string): Promise<InstanceGroupSpec> {
  const where = `s3://${bucket}/${key}`;
  const text = await readText(s3, bucket, key, 'a kops instance group spec');
  if (text === undefined) throw new KopsSpecError(where, `${where} was listed but is gone; try again`);
  return parseInstanceGroup(text, where);
}

/**
 * Reads one cluster's specs. Never throws: an unreadable or malformed object is `{ ok: false }`
 * naming its key (one bad instance group fails the whole read: judging only some would hide drift).
 */
export async function readKopsSpecs(
  stateStore: string,
  cluster: string,
  s3: S3Client,
): Promise<KopsSpecsRead> {
  let where = stateStore;
  try {
    const { bucket, prefix } = parseStateStoreUrl(stateStore);
    const keys = kopsSpecKeys(prefix, cluster);
    where = `s3://${bucket}/${keys.instanceGroups}`;
    const names = await listNames(
      s3,
      bucket,
      keys.instanceGroups,
      (key) => {
        const name = key.slice(keys.instanceGroups.length);
        return key.startsWith(keys.instanceGroups) && INSTANCE_GROUP_KEY.test(name) ? name : undefined;
      },
      { maxPages: MAX_LIST_PAGES, maxNames: MAX_INSTANCE_GROUPS, what: 'instance groups' },
    );
    const clusterSpec = await readCluster(s3, bucket, keys);
    const instanceGroups: InstanceGroupSpec[] = [];
    for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
      const batch = names.slice(i, i + READ_CONCURRENCY);
      instanceGroups.push(
        ...(await Promise.all(batch.map((n) => readGroup(s3, bucket, `${keys.instanceGroups}${n}`)))),
      );
    }
    return {
      ok: true,
      specs: {
        source: `s3://${bucket}/${clusterKey(prefix, cluster, '')}/`,
        cluster: clusterSpec,
        instanceGroups,
      },
    };
  } catch (err) {
    const key = err instanceof KopsSpecError ? err.key : err instanceof CaSourceError ? err.source : where;
    return { ok: false, key, reason: err instanceof Error ? err.message : String(err) };
  }
}
