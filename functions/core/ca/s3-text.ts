import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorParts } from '../aws/errors.ts';
import { CaSourceError } from './bundle.ts';

export interface StateStoreLocation {
  bucket: string;
  prefix: string;
}

/** Splits `s3://bucket[/prefix]`. */
export function parseStateStoreUrl(url: string): StateStoreLocation {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!match?.[1]) {
    throw new CaSourceError(url, `state store ${JSON.stringify(url)} is not an s3://bucket[/prefix] URL`);
  }
  return { bucket: match[1], prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** `<prefix>/<cluster>/<path>`, leaving out an empty prefix. */
export function clusterKey(prefix: string, clusterName: string, path: string): string {
  return [prefix, clusterName, path].filter((part) => part !== '').join('/');
}

/** getObjectText's answer for a key S3 refused to read (missing without ListBucket, or forbidden). */
export const ACCESS_DENIED = Symbol('access denied');

/**
 * The UTF-8 text of a stream, counting bytes as they arrive: undefined (and the stream cancelled)
 * once more than `maxBytes` have come, so a body without a length cannot exhaust memory.
 */
export async function boundedText(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads the text of an S3 object, refusing one larger than `maxBytes` before reading its body
 * (by ContentLength) or while reading it (counting bytes, when S3 sends no length).
 * `undefined` when the key does not exist, ACCESS_DENIED when S3 says AccessDenied. `what` names
 * the kind of object in messages ("a kops Keyset"); no message quotes the object's content.
 */
export async function getObjectText(
  s3: S3Client,
  bucket: string,
  key: string,
  maxBytes: number,
  what: string,
): Promise<string | undefined | typeof ACCESS_DENIED> {
  const where = `s3://${bucket}/${key}`;
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (res.ContentLength !== undefined && res.ContentLength > maxBytes) {
      await res.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      throw new CaSourceError(where, `${where}: ${res.ContentLength} bytes is too large for ${what}`);
    }
    const text = res.Body ? await boundedText(res.Body.transformToWebStream(), maxBytes) : '';
    if (text === undefined) {
      throw new CaSourceError(where, `${where}: more than ${maxBytes} bytes is too large for ${what}`);
    }
    return text;
  } catch (err) {
    if (err instanceof CaSourceError) throw err;
    const e = errorParts(err);
    if (e.name === 'NoSuchKey' || (e.status === 404 && e.name !== 'NoSuchBucket')) return undefined;
    if (e.name === 'AccessDenied') return ACCESS_DENIED;
    throw new CaSourceError(where, `reading ${where} failed: ${e.name}: ${e.message}`);
  }
}

export interface ListBounds {
  /** Listing pages (1000 keys each) before giving up. */
  maxPages: number;
  /** Distinct names kept before refusing to judge a subset. */
  maxNames: number;
  /** What the names are, in messages ("node groups"). */
  what: string;
}

/**
 * The names under `listPrefix` that `nameOf` accepts (it maps a listed key to a name, or undefined
 * to skip it), sorted; bounded in pages and names. Throws a CaSourceError naming the prefix.
 */
export async function listNames(
  s3: S3Client,
  bucket: string,
  listPrefix: string,
  nameOf: (key: string) => string | undefined,
  bounds: ListBounds,
): Promise<string[]> {
  const where = `s3://${bucket}/${listPrefix}`;
  const names = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < bounds.maxPages; page++) {
    let res: ListObjectsV2CommandOutput;
    try {
      res = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: listPrefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
    } catch (err) {
      const e = errorParts(err);
      throw new CaSourceError(where, `listing ${where} failed: ${e.name}: ${e.message}`);
    }
    for (const o of res.Contents ?? []) {
      const name = o.Key ? nameOf(o.Key) : undefined;
      if (name) names.add(name);
    }
    if (names.size > bounds.maxNames) {
      throw new CaSourceError(
        where,
        `${where}: more than ${bounds.maxNames} ${bounds.what}; refusing to judge a subset of them`,
      );
    }
    if (!res.IsTruncated || !res.NextContinuationToken) return [...names].sort();
    token = res.NextContinuationToken;
  }
  throw new CaSourceError(where, `${where}: more than ${bounds.maxPages} pages of objects; refusing`);
}
