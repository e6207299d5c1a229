import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MAX_ADDRESSES_PER_NAME, resolveAll } from '../../../functions/core/tls/addresses.ts';

/** A resolver answering `{ all: true }` with the given addresses, recording what it was asked. */
function lookupOf(addresses: string[], asked: unknown[] = []): LookupFunction {
  return (hostname, options, callback) => {
    asked.push([hostname, options]);
    const all: LookupAddress[] = addresses.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    }));
    callback(null, all);
  };
}

describe('resolveAll: every address of a name through the lookup seam', () => {
  it('asks for all addresses (A and AAAA) and keeps them in order, distinct', async () => {
    const asked: unknown[] = [];
    const out = await resolveAll(
      'internal-k8s.elb.example',
      1000,
      lookupOf(['10.0.1.10', 'FD00::10', '10.0.1.10', '10.0.2.10', 'fd00::10'], asked),
    );
    expect(out).toEqual({ addresses: ['10.0.1.10', 'fd00::10', '10.0.2.10'], omitted: 0 });
    expect(asked).toEqual([['internal-k8s.elb.example', { all: true }]]);
  });

  it(`probes at most ${MAX_ADDRESSES_PER_NAME} addresses and counts the rest`, async () => {
    const many = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`);
    const out = await resolveAll('big.example', 1000, lookupOf(many));
    expect(out.addresses).toEqual(many.slice(0, MAX_ADDRESSES_PER_NAME));
    expect(out.omitted).toBe(4);
  });

  it('an IP address is its own address; the resolver is not asked', async () => {
    const asked: unknown[] = [];
    expect(await resolveAll('[fd00::5]', 1000, lookupOf([], asked))).toEqual({
      addresses: ['fd00::5'],
      omitted: 0,
    });
    expect(await resolveAll('10.0.1.5', 1000, lookupOf([], asked))).toEqual({
      addresses: ['10.0.1.5'],
      omitted: 0,
    });
    expect(asked).toEqual([]);
  });

  it('rejects with the resolver error, and when the resolver never answers', async () => {
    const failing: LookupFunction = (_h, _o, cb) =>
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), '', 0);
    await expect(resolveAll('x.example', 1000, failing)).rejects.toThrow(/ENOTFOUND/);
    const silent: LookupFunction = () => undefined;
    await expect(resolveAll('y.example', 20, silent)).rejects.toThrow(/no answer for y.example within 20 ms/);
  });
});
