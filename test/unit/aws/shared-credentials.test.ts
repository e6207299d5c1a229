import { describe, expect, it } from 'vitest';
import { sharedCredentials } from '../../../functions/core/aws/cli-access.ts';

const HOUR = 3_600_000;

describe('one credential provider per account, region and source', () => {
  it('asks its source once for any number of clients at once, again only near expiry', async () => {
    let now = 0;
    let asked = 0;
    const provider = sharedCredentials(
      async () => {
        asked += 1;
        return { accessKeyId: `k${asked}`, secretAccessKey: 's', expiration: new Date(now + HOUR) };
      },
      () => now,
    );
    const first = await Promise.all([provider(), provider(), provider()]);
    expect(asked).toBe(1);
    expect(new Set(first.map((c) => c.accessKeyId))).toEqual(new Set(['k1']));
    now += HOUR - 10 * 60_000;
    expect((await provider()).accessKeyId).toBe('k1');
    now += 6 * 60_000;
    expect((await provider()).accessKeyId).toBe('k2');
    expect(asked).toBe(2);
  });

  it('keeps credentials without an expiry, and a failure for the run', async () => {
    let asked = 0;
    const fixed = sharedCredentials(async () => {
      asked += 1;
      return { accessKeyId: 'k', secretAccessKey: 's' };
    });
    await fixed();
    await fixed();
    expect(asked).toBe(1);
    let failed = 0;
    const failing = sharedCredentials(async () => {
      failed += 1;
      throw new Error('no role');
    });
    await expect(failing()).rejects.toThrow('no role');
    await expect(failing()).rejects.toThrow('no role');
    expect(failed).toBe(1);
  });
});
