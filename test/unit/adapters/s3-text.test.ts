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

/** An object body as the SDK hands it over, recording whether it was cancelled unread. */
function body(text: string) {
  const seen = { cancelled: false };
  return {
    seen,
    Body: {
      transformToString: async () => text,
      transformToWebStream: () => ({
        cancel: async () => {
          seen.cancelled = true;
        },
      }),
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
      `${WHERE}: ${MAX + 1} characters is too large for a nodeup config`,
    );
  });

  it('an answer without a body reads as empty text', async () => {
    mock.on(GetObjectCommand).resolves({});
    expect(await read()).toEqual({ value: '' });
  });
});
