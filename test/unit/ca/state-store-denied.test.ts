import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { readKeysetFromStateStore } from '../../../functions/core/ca/keyset-store.ts';
import { createCa, keysetYaml } from '../../../sandbox/pki.ts';

/** An S3 stand-in that answers like S3 does for a role with GetObject but no ListBucket. */
function s3Answering(objects: Record<string, string>): { client: S3Client; asked: string[] } {
  const asked: string[] = [];
  const client = {
    send: async (cmd: { input: { Key: string } }) => {
      asked.push(cmd.input.Key);
      const body = objects[cmd.input.Key];
      if (body === undefined)
        throw Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      return { Body: { transformToWebStream: () => new Blob([body]).stream() } };
    },
  } as unknown as S3Client;
  return { client, asked };
}

describe('state store without s3:ListBucket', () => {
  it('treats AccessDenied on a newer layout as missing and falls back to the older one', async () => {
    const ca = await createCa('kubernetes-ca');
    const { client, asked } = s3Answering({
      'k8s.example.com/pki/issued/ca/keyset.yaml': keysetYaml({ keys: [{ id: '1', ca }] }),
    });
    const out = await readKeysetFromStateStore('s3://state', 'k8s.example.com', client);
    expect(out.key).toBe('k8s.example.com/pki/issued/ca/keyset.yaml');
    expect(asked).toEqual([
      'k8s.example.com/pki/private/kubernetes-ca/keyset.yaml',
      'k8s.example.com/pki/issued/ca/keyset.yaml',
    ]);
  });

  it('says AccessDenied when no layout could be read', async () => {
    const { client } = s3Answering({});
    await expect(readKeysetFromStateStore('s3://state', 'k8s.example.com', client)).rejects.toThrow(
      /AccessDenied on 3 of them/,
    );
  });
});
