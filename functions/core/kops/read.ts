import type { S3Client } from '@aws-sdk/client-s3';
import { CaSourceError } from '../ca/bundle.ts';
import { ACCESS_DENIED, clusterKey, getObjectText, listNames, parseStateStoreUrl } from '../ca/s3-text.ts';
import { loadYaml, type Yaml } from '../yaml.ts';
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
 * The state-store reader: the cluster spec (`config`, what `kops edit cluster` writes and the next
 * `kops update cluster` applies; `cluster-completed.spec`, what the last update applied, only when
 * `config` is missing), the applied spec beside it for comparison, and every instance group spec
 * under `instancegroup/`. It reads exactly what the verifier's IAM grants
 * (kops-permissions.ts kopsSpecReadStatements), never `pki/`.
 */

/** More instance groups than this is not a cluster we judge; refuse rather than read them all. */
export const MAX_INSTANCE_GROUPS = 100;
const MAX_LIST_PAGES = 5;
const READ_CONCURRENCY = 8;
const INSTANCE_GROUP_KEY = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

export interface KopsSpecs {
  /** `s3://bucket/<prefix>/<cluster>/`, for messages. */
  source: string;
  /** The spec the next `kops update cluster` applies (`config`, else the completed spec). */
  cluster: ClusterSpec;
  /** `cluster-completed.spec`, what the last update applied, when `cluster` is `config`. */
  applied?: ClusterSpec;
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

/** An object's text, or undefined when it is missing (or, without ListBucket, AccessDenied). */
async function readOptional(s3: S3Client, bucket: string, key: string) {
  try {
    return { text: await readText(s3, bucket, key, 'a kops cluster spec') };
  } catch (err) {
    if (err instanceof KopsSpecError) return { denied: err };
    throw err;
  }
}

/**
 * The cluster spec the next update applies (`config`) and, beside it, the one the last update
 * applied (`cluster-completed.spec`); the completed spec alone when `config` is missing.
 */
async function readCluster(
  s3: S3Client,
  bucket: string,
  keys: ReturnType<typeof kopsSpecKeys>,
  yaml: Yaml,
): Promise<Pick<KopsSpecs, 'cluster' | 'applied'>> {
  // Without ListBucket on the cluster folder a missing object answers AccessDenied, not 404.
  const [config, completed] = await Promise.all([
    readOptional(s3, bucket, keys.config),
    readOptional(s3, bucket, keys.completed),
  ]);
  const where = `s3://${bucket}/${keys.config}`;
  const appliedKey = `s3://${bucket}/${keys.completed}`;
  const applied =
    completed.text !== undefined ? parseClusterSpec(completed.text, appliedKey, yaml) : undefined;
  if (config.text !== undefined) {
    return { cluster: parseClusterSpec(config.text, where, yaml), ...(applied ? { applied } : {}) };
  }
  if (applied) return { cluster: applied };
  if (config.denied) throw config.denied;
  throw new KopsSpecError(where, `${where} does not exist (no kops cluster of that name in the state store)`);
}

async function readGroup(s3: S3Client, bucket: string, key: string, yaml: Yaml): Promise<InstanceGroupSpec> {
  const where = `s3://${bucket}/${key}`;
  const text = await readText(s3, bucket, key, 'a kops instance group spec');
  if (text === undefined) throw new KopsSpecError(where, `${where} was listed but is gone; try again`);
  return parseInstanceGroup(text, where, yaml);
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
  const yamlReady = loadYaml();
  try {
    const { bucket, prefix } = parseStateStoreUrl(stateStore);
    const keys = kopsSpecKeys(prefix, cluster);
    where = `s3://${bucket}/${keys.instanceGroups}`;
    // the listing, the cluster spec and the parser are independent: one round trip, not three
    const [names, clusterSpecs] = await Promise.all([
      listNames(
        s3,
        bucket,
        keys.instanceGroups,
        (key) => {
          const name = key.slice(keys.instanceGroups.length);
          return key.startsWith(keys.instanceGroups) && INSTANCE_GROUP_KEY.test(name) ? name : undefined;
        },
        { maxPages: MAX_LIST_PAGES, maxNames: MAX_INSTANCE_GROUPS, what: 'instance groups' },
      ),
      yamlReady.then((yaml) => readCluster(s3, bucket, keys, yaml)),
    ]);
    const yaml = await yamlReady;
    const instanceGroups: InstanceGroupSpec[] = [];
    for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
      const batch = names.slice(i, i + READ_CONCURRENCY);
      instanceGroups.push(
        ...(await Promise.all(batch.map((n) => readGroup(s3, bucket, `${keys.instanceGroups}${n}`, yaml)))),
      );
    }
    return {
      ok: true,
      specs: {
        source: `s3://${bucket}/${clusterKey(prefix, cluster, '')}/`,
        ...clusterSpecs,
        instanceGroups,
      },
    };
  } catch (err) {
    const key = err instanceof KopsSpecError ? err.key : err instanceof CaSourceError ? err.source : where;
    return { ok: false, key, reason: err instanceof Error ? err.message : String(err) };
  }
}
