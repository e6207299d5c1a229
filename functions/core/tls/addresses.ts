import { isIP, type LookupFunction } from 'node:net';

/**
 * Every address of a name, as kubelet's resolver would offer them: A and AAAA through the `lookup`
 * seam with `{ all: true }` (default: the system resolver, the one Node dials with). Bounded: at
 * most MAX_ADDRESSES_PER_NAME addresses are kept (the rest are counted), and the lookup is given
 * up after `timeoutMs`. An IP address is its own only address. `node:dns` is loaded on the first
 * name resolved, not with the module: loading it is about 1.5% of the verifier's cold start.
 */

/** At most this many addresses of one name are probed; a load balancer has one per zone. */
export const MAX_ADDRESSES_PER_NAME = 16;

export interface ResolvedName {
  /** Distinct addresses in the resolver's order, at most MAX_ADDRESSES_PER_NAME. */
  addresses: string[];
  /** Addresses beyond the bound, not probed. */
  omitted: number;
}

function lookupAll(host: string, lookup: LookupFunction, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer for ${host} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      lookup(host, { all: true }, (err, answer) => {
        clearTimeout(timer);
        if (err) reject(err);
        else
          resolve(
            (Array.isArray(answer) ? answer : [{ address: answer }]).map((a) =>
              typeof a === 'string' ? a : a.address,
            ),
          );
      });
    } catch (err) {
      clearTimeout(timer);
      reject(err);
    }
  });
}

/** Resolves every address of `host`; rejects when the resolver fails or does not answer in time. */
export async function resolveAll(
  host: string,
  timeoutMs: number,
  lookup?: LookupFunction,
): Promise<ResolvedName> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const all = isIP(bare)
    ? [bare]
    : await lookupAll(host, lookup ?? (await import('node:dns')).lookup, timeoutMs);
  const distinct = [...new Set(all.map((a) => a.toLowerCase()).filter((a) => isIP(a) !== 0))];
  return {
    addresses: distinct.slice(0, MAX_ADDRESSES_PER_NAME),
    omitted: Math.max(0, distinct.length - MAX_ADDRESSES_PER_NAME),
  };
}
