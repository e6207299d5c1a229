import type { LookupFunction } from 'node:net';
import { errorMessage } from '../aws/errors.ts';
import type { Log } from '../log.ts';
import { resolveAll } from '../tls/addresses.ts';
import { type ConnectTo, resolveConnectTo } from '../tls/connect-to.ts';
import type { ProbeTarget } from '../tls/probe.ts';
import { addressTargets, type PlannedTarget } from './targets.ts';
import { type PlaceAddress, UNKNOWN_ZONE } from './zones.ts';

export interface ResolveOptions {
  timeoutMs: number;
  connectTo?: readonly ConnectTo[];
  lookup?: LookupFunction;
  /** Where addresses sit; asked at most once, and only when a name resolved. */
  placer: () => Promise<PlaceAddress>;
  log: Log;
}

/** Asks for the placer once; a failure leaves every address in UNKNOWN_ZONE (logged, not fatal). */
function oncePlacer(opts: ResolveOptions): () => Promise<PlaceAddress> {
  let pending: Promise<PlaceAddress> | undefined;
  return () => {
    pending ??= opts.placer().catch((err) => {
      opts.log.warn('zones unknown: the VPC subnets could not be read', { error: errorMessage(err) });
      return () => ({ zone: UNKNOWN_ZONE });
    });
    return pending;
  };
}

/**
 * Turns each DNS-name probe into one probe per address (A and AAAA, bounded by
 * MAX_ADDRESSES_PER_NAME), labelled with the address's zone. A name a --connect-to rule matches
 * is reached through the rule, unresolved, as before. A name that does not resolve (or not in
 * time) stays one probe of the name, whose handshake then reports why it cannot be reached.
 */
export async function resolveTargets(
  targets: readonly PlannedTarget[],
  opts: ResolveOptions,
): Promise<ProbeTarget[]> {
  const place = oncePlacer(opts);
  const expanded = await Promise.all(
    targets.map(async ({ resolve, ...target }): Promise<ProbeTarget[]> => {
      if (!resolve || resolveConnectTo(target.host, target.port, opts.connectTo).rule) return [target];
      try {
        const { addresses, omitted } = await resolveAll(target.host, opts.timeoutMs, opts.lookup);
        if (addresses.length === 0) return [target];
        if (omitted > 0)
          opts.log.warn('more addresses than are probed', {
            resource: target.resource,
            name: target.host,
            probed: addresses.length,
            omitted,
          });
        return addressTargets(target, addresses, await place());
      } catch (err) {
        opts.log.debug('name not resolved; probing the name itself', {
          resource: target.resource,
          error: errorMessage(err),
        });
        return [target];
      }
    }),
  );
  return expanded.flat();
}
