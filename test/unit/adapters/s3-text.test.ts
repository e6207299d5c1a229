import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CaSourceError } from '../../../functions/core/ca/bundle.ts';
import { ACCESS_DENIED, getObjectText } from '../../../functions/core/ca/s3-text.ts';
import { serviceError, settle } from './aws-errors.ts';

/** Reading a kops state-store object: what each S3 answer becomes. */
const BUCKET = 'kops-state-example';
const KEY = 'k8s.example.com/igconfig/node/nodes/nodeupconfig.yaml';
const WHERE = `s3://${BUCKET}/${KEY}`;
const MAX = 64;

/**
 * An object body as the SDK hands it over: a web stream of `text` in chunks of `chunk` bytes,
 * produced on demand (at most `chunks` of them when given, else the whole text), recording how
 * many were pulled and whether it was cancelled.
 */
function body(text: string, opts: { chunk?: number; chunks?: number } = {}) {
  const seen = { cancelled: false, pulled: 0 };
  const size = opts.chunk ?? Math.max(text.length, 1);
  const bytes = Buffer.from(text);
  const limit = opts.chunks ?? Math.ceil(bytes.length / size);
  const stream = () =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (seen.pulled >= limit) return controller.close();
        const start = (seen.pulled * size) % Math.max(bytes.length, 1);
        seen.pulled++;
        controller.enqueue(new Uint8Array(bytes.subarray(start, start + size)));
      },
      cancel() {
        seen.cancelled = true;
      },
    });
  // both read the same stream, as the SDK's body does
  return {
    seen,
    Body: {
      transformToString: () => new Response(stream()).text(),
      transformToWebStream: stream,
    },
  };
}

let s3: S3Client;
const mockOf = (client: S3Client) => mockClient(client);
let mock: ReturnType<typeof mockOf>;
const read = () => settle(getObjectText(s3, BUCKET, KEY, MAX, 'a nodeup config'));

beforeEach(() => {
  s3 = new S3Client({ region: 'eu-west-1' });
  mock = mockOf(s3);
  mock.onAnyCommand().rejects(new Error('unexpected S3 call'));
});

describe('S3 text reading', () => {
  it('returns the text of the object', async () => {
    const { Body } = body('version: 1\n');
    mock.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolves({ Body, ContentLength: 11 } as never);
    expect(await read()).toEqual({ value: 'version: 1\n' });
  });

  it('a missing key is undefined, whether S3 says NoSuchKey or a bare 404', async () => {
    mock
      .on(GetObjectCommand)
      .rejectsOnce(serviceError('NoSuchKey', 'The specified key does not exist.', 404))
      .rejectsOnce(serviceError('NotFound', 'Not Found', 404));
    expect(await read()).toEqual({ value: undefined });
    expect(await read()).toEqual({ value: undefined });
  });

  it('access denied is its own answer (a missing key reads so without ListBucket)', async () => {
    mock.on(GetObjectCommand).rejects(serviceError('AccessDenied', 'Access Denied', 403));
    expect(await read()).toEqual({ value: ACCESS_DENIED });
  });

  it('a missing bucket and throttling are errors naming the object and what S3 said', async () => {
    mock
      .on(GetObjectCommand)
      .rejectsOnce(serviceError('NoSuchBucket', 'The specified bucket does not exist', 404))
      .rejectsOnce(serviceError('SlowDown', 'Please reduce your request rate.', 503));
    const missing = (await read()).error;
    expect(missing).toBeInstanceOf(CaSourceError);
    expect(missing?.message).toBe(
      `reading ${WHERE} failed: NoSuchBucket: The specified bucket does not exist`,
    );
    const slow = (await read()).error;
    expect(slow).toBeInstanceOf(CaSourceError);
    expect(slow?.message).toBe(`reading ${WHERE} failed: SlowDown: Please reduce your request rate.`);
  });

  it('an object larger than the limit is refused before its body is read, and the body is let go', async () => {
    const big = body('x'.repeat(MAX + 1));
    mock.on(GetObjectCommand).resolves({ Body: big.Body, ContentLength: 10_000 } as never);
    const { error } = await read();
    expect(error).toBeInstanceOf(CaSourceError);
    expect(error?.message).toBe(`${WHERE}: 10000 bytes is too large for a nodeup config`);
    expect(big.seen.cancelled).toBe(true);
  });

  it('an answer without a length is still held to the limit', async () => {
    mock.on(GetObjectCommand).resolves({ Body: body('x'.repeat(MAX + 1)).Body } as never);
    expect((await read()).error?.message).toBe(
      `${WHERE}: more than ${MAX} bytes is too large for a nodeup config`,
    );
  });

  it('a body without a length is counted while streaming: reading stops at the limit, not at its end', async () => {
    // a body of up to 100 000 chunks of 16 bytes (1.6 MB) behind a 64-byte limit
    const endless = body('y'.repeat(16), { chunk: 16, chunks: 100_000 });
    mock.on(GetObjectCommand).resolves({ Body: endless.Body } as never);
    const { error } = await read();
    expect(error?.message).toBe(`${WHERE}: more than ${MAX} bytes is too large for a nodeup config`);
    expect(endless.seen.pulled).toBeLessThanOrEqual(MAX / 16 + 2);
    expect(endless.seen.cancelled).toBe(true);
  });

  it('a body without a length, exactly at the limit and in several chunks, is read whole (multi-byte text kept)', async () => {
    const text = `${'é'.repeat(MAX / 2 - 1)}ab`; // 64 bytes, split inside a two-byte character
    mock.on(GetObjectCommand).resolves({ Body: body(text, { chunk: 5 }).Body } as never);
    expect(await read()).toEqual({ value: text });
  });

  it('an answer without a body reads as empty text', async () => {
    mock.on(GetObjectCommand).resolves({});
    expect(await read()).toEqual({ value: '' });
  });
});
