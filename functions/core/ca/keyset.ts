import type { X509Certificate } from 'node:crypto';
import { isMap, isSeq, parseDocument } from 'yaml';
import * as z from 'zod';
import { quoteShort } from '../text.ts';
import { bundleOf, type CaBundle, CaSourceError, MAX_BUNDLE_CHARS, parsePemBundle } from './bundle.ts';
import { rejectYamlErrors } from './yaml-errors.ts';

/**
 * A kops Keyset (`apiVersion: kops.k8s.io/v1alpha2`, `kind: Keyset`) as stored in the state store.
 * The object that holds the cluster CA ALSO holds its private key (`privateMaterial`): it is
 * deleted from the parsed document before anything else reads it, never copied, never logged, and
 * no error message quotes the document.
 */
export interface KeysetBundle {
  /** The public certificates of every key without `distrustTimestamp`. */
  bundle: CaBundle;
  primaryId: string | undefined;
  trustedIds: string[];
  distrustedIds: string[];
  keyCount: number;
}

const KeyId = z.union([z.string().min(1), z.number(), z.bigint()]).transform((v) => String(v));

const KeySchema = z.object({
  id: KeyId,
  publicMaterial: z.string().min(1).optional(),
  distrustTimestamp: z.unknown().optional(),
});

const KeysetSchema = z.object({
  spec: z.object({
    primaryId: KeyId.optional(),
    keys: z.array(KeySchema).min(1),
  }),
});

type KeyEntry = z.output<typeof KeySchema>;

function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return quoteShort(text, 60);
}

/** Parses the YAML and removes every `privateMaterial` before the document becomes plain data. */
function publicDocument(text: string, source: string): unknown {
  const doc = parseDocument(text, { intAsBigInt: true });
  rejectYamlErrors(doc, source);
  const keys = doc.getIn(['spec', 'keys']);
  if (isSeq(keys)) {
    for (const item of keys.items) {
      if (isMap(item)) item.delete('privateMaterial');
    }
  }
  return doc.toJS({ maxAliasCount: 10 });
}

function checkKind(doc: unknown, source: string): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new CaSourceError(source, `${source}: not a kops Keyset (the document is not a mapping)`);
  }
  const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
  if (kind !== 'Keyset') {
    throw new CaSourceError(
      source,
      `${source}: not a kops Keyset (kind is ${shortValue(kind)}, expected "Keyset" of apiVersion kops.k8s.io/v1alpha2)`,
    );
  }
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith('kops.k8s.io/')) {
    throw new CaSourceError(
      source,
      `${source}: not a kops Keyset (apiVersion is ${shortValue(apiVersion)}, expected kops.k8s.io/v1alpha2)`,
    );
  }
}

function decodePublicMaterial(key: KeyEntry, source: string): string {
  const where = `${source}: key ${key.id}`;
  if (!key.publicMaterial) throw new CaSourceError(source, `${where} has no publicMaterial`);
  const raw = key.publicMaterial.trim();
  if (raw.startsWith('-----BEGIN')) return raw;
  const pem = Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CaSourceError(source, `${where}: publicMaterial is not a base64-encoded PEM certificate`);
  }
  return pem;
}

/**
 * Reads a kops Keyset and returns the public bundle of every key without `distrustTimestamp`.
 * Throws a CaSourceError naming `source` for a document that is not a Keyset, has no keys, has
 * unreadable public material, or has no trusted key left.
 */
export function parseKeyset(text: string, source: string): KeysetBundle {
  if (text.length > MAX_BUNDLE_CHARS) {
    throw new CaSourceError(source, `${source}: ${text.length} characters is too large for a kops Keyset`);
  }
  const doc = publicDocument(text, source);
  checkKind(doc, source);
  const parsed = KeysetSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.map(String).join('.') : 'spec';
    throw new CaSourceError(
      source,
      `${source}: not a usable kops Keyset (${path}: ${issue?.message ?? 'invalid'})`,
    );
  }
  const { keys, primaryId } = parsed.data.spec;
  const trusted = keys.filter((k) => k.distrustTimestamp === undefined || k.distrustTimestamp === null);
  const distrustedIds = keys.filter((k) => !trusted.includes(k)).map((k) => k.id);
  if (trusted.length === 0) {
    throw new CaSourceError(
      source,
      `${source}: every key is distrusted (${distrustedIds.join(', ')}); no CA left to trust`,
    );
  }
  const certificates: X509Certificate[] = [];
  for (const key of trusted) {
    const pem = decodePublicMaterial(key, source);
    certificates.push(...parsePemBundle(pem, `${source}: key ${key.id}`).certificates);
  }
  return {
    bundle: bundleOf(source, certificates),
    primaryId,
    trustedIds: trusted.map((k) => k.id),
    distrustedIds,
    keyCount: keys.length,
  };
}
