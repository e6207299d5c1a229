import type { S3Client } from '@aws-sdk/client-s3';
import { loadYaml, type Yaml } from '../yaml.ts';
import { type CaBundle, CaSourceError, parsePemBundle } from './bundle.ts';
import { ACCESS_DENIED, clusterKey, getObjectText, listNames, parseStateStoreUrl } from './s3-text.ts';
import type { CaTrust, GroupTrust } from './trust.ts';
import { rejectYamlErrors } from './yaml-errors.ts';

/**
 * The state-store CA source: what the nodes actually trust. nodeup writes kubelet's kubeconfig
 * with `CAs["kubernetes-ca"]` of its instance group's nodeup config, kept by kops at
 * `<configBase>/igconfig/node/<ig>/nodeupconfig.yaml` and rewritten by `kops update cluster` on
 * every keypair create/promote/distrust. Those objects hold certificates and node settings, no
 * private key: the verifier reads only them (never `pki/`), lists them under one prefix, and
 * keeps only the PEM certificates of `kubernetes-ca`. Nothing of their content is logged or quoted.
 */

/** The kops CA nodeup hands kubelet (pkg/apis/nodeup/config.go `CAs`). */
export const NODEUP_CA_NAME = 'kubernetes-ca';
/** More node groups than this is not a kops cluster we judge; refuse rather than read them all. */
export const MAX_NODE_GROUPS = 100;
/** A nodeup config is tens of kilobytes; refuse a larger object before reading it. */
export const MAX_NODEUP_CONFIG_BYTES = 512 * 1024;
/** Listing pages (1000 keys each) before giving up. */
const MAX_LIST_PAGES = 5;
/** Objects read at once. */
const READ_CONCURRENCY = 8;
const FILE = 'nodeupconfig.yaml';
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** kops instance group names are DNS labels; anything else under the prefix is not a group. */
const GROUP_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;

/** `<prefix>/<cluster>/igconfig/node/`: the one prefix the verifier may list (IAM `s3:prefix`). */
export function nodeGroupConfigPrefix(prefix: string, clusterName: string): string {
  return `${clusterKey(prefix, clusterName, 'igconfig/node')}/`;
}

/** The object key of one node group's nodeup config. */
export function nodeupConfigKey(prefix: string, clusterName: string, group: string): string {
  return `${nodeGroupConfigPrefix(prefix, clusterName)}${group}/${FILE}`;
}

/** The node group a listed key belongs to, when it is `<listPrefix><ig>/nodeupconfig.yaml`. */
export function nodeGroupOf(key: string, listPrefix: string): string | undefined {
  if (!key.startsWith(listPrefix) || !key.endsWith(`/${FILE}`)) return undefined;
  const group = key.slice(listPrefix.length, -(FILE.length + 1));
  return GROUP_NAME.test(group) ? group : undefined;
}

/**
 * The `kubernetes-ca` bundle of a nodeup config. Tolerant of every other field (nodeup configs
 * change between kops versions); takes only the PEM certificates of `CAs["kubernetes-ca"]` and
 * ignores anything else in that value. Throws a CaSourceError naming `source`, never quoting it.
 */
export function parseNodeupConfig(text: string, source: string, yaml: Yaml): CaBundle {
  if (text.length > MAX_NODEUP_CONFIG_BYTES) {
    throw new CaSourceError(source, `${source}: ${text.length} characters is too large for a nodeup config`);
  }
  const { isMap, parseDocument } = yaml;
  const doc = parseDocument(text, { uniqueKeys: false });
  rejectYamlErrors(doc, source);
  if (!isMap(doc.contents)) {
    throw new CaSourceError(source, `${source}: not a kops nodeup config (the document is not a mapping)`);
  }
  const cas = doc.get('CAs');
  if (!isMap(cas)) {
    throw new CaSourceError(source, `${source}: no CAs mapping (kops writes CAs.${NODEUP_CA_NAME})`);
  }
  const value = cas.get(NODEUP_CA_NAME);
  if (typeof value !== 'string') {
    throw new CaSourceError(
      source,
      `${source}: CAs.${NODEUP_CA_NAME} is ${value === undefined ? 'missing' : 'not a string of PEM certificates'}`,
    );
  }
  const certificates = value.match(CERTIFICATE_BLOCK) ?? [];
  if (certificates.length === 0) {
    throw new CaSourceError(source, `${source}: CAs.${NODEUP_CA_NAME} holds no PEM certificate`);
  }
  return parsePemBundle(`${certificates.join('\n')}\n`, source);
}

async function readGroup(
  s3: S3Client,
  bucket: string,
  listPrefix: string,
  group: string,
  yaml: Yaml,
): Promise<GroupTrust> {
  const key = `${listPrefix}${group}/${FILE}`;
  const where = `s3://${bucket}/${key}`;
  const text = await getObjectText(s3, bucket, key, MAX_NODEUP_CONFIG_BYTES, 'a nodeup config');
  if (text === undefined) throw new CaSourceError(where, `${where} was listed but is gone; try again`);
  if (text === ACCESS_DENIED) {
    throw new CaSourceError(
      where,
      `reading ${where} failed: AccessDenied (an object under a KMS key the config does not name in ca.kmsKeyArn?)`,
    );
  }
  return { group, bundle: parseNodeupConfig(text, where, yaml) };
}

/**
 * What each node group trusts, from the state store: lists `<cluster>/igconfig/node/`, reads each
 * group's nodeupconfig.yaml (a few at a time) and keeps its `kubernetes-ca` certificates. Any
 * group that cannot be read fails the whole source: judging only some groups would hide drift.
 */
export async function readNodeGroupTrust(
  stateStoreUrl: string,
  clusterName: string,
  s3: S3Client,
): Promise<CaTrust> {
  const { bucket, prefix } = parseStateStoreUrl(stateStoreUrl);
  const listPrefix = nodeGroupConfigPrefix(prefix, clusterName);
  const yamlReady = loadYaml();
  const names = await listNames(s3, bucket, listPrefix, (key) => nodeGroupOf(key, listPrefix), {
    maxPages: MAX_LIST_PAGES,
    maxNames: MAX_NODE_GROUPS,
    what: 'node groups',
  });
  if (names.length === 0) {
    throw new CaSourceError(
      `s3://${bucket}/${listPrefix}`,
      `no node group nodeup config for cluster ${clusterName} under s3://${bucket}/${listPrefix} ` +
        `(expected <instance group>/${FILE}, written by kops update cluster)`,
    );
  }
  const yaml = await yamlReady;
  const groups: GroupTrust[] = [];
  for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
    const batch = names.slice(i, i + READ_CONCURRENCY);
    groups.push(...(await Promise.all(batch.map((g) => readGroup(s3, bucket, listPrefix, g, yaml)))));
  }
  return { source: `s3://${bucket}/${listPrefix}`, groups };
}
