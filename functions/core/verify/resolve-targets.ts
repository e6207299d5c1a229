import { isIP, type LookupFunction } from 'node:net';
import { errorMessage } from '../aws/errors.ts';
import type { Log } from '../log.ts';
import { resolveAll } from '../tls/addresses.ts';
import { type ConnectTo, resolveConnectTo } from '../tls/connect-to.ts';
import type { ProbeTarget } from '../tls/probe.ts';
import { addressTargets, type PlannedTarget } from './targets.ts';
import { type PlaceAddress, UNKNOWN_ZONE } from './zones.ts';

export interface ResolveOptions {
  timeoutMs: number;
  /** `verifier.ipv6`: IPv6 addresses are dialled; otherwise they are left alone (see `ipv6Only`). */
  ipv6: boolean;
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

/** A probe left undialled because it has IPv6 addresses only and `verifier.ipv6` is off. */
export interface Ipv6Only {
  resource: string;
  /** The name, when the probe was of a DNS name. */
  name?: string;
  addresses: string[];
}

export interface ResolvedTargets {
  targets: ProbeTarget[];
  ipv6Only: Ipv6Only[];
}

const isIpv6 = (address: string) => isIP(address) === 6;

/**
 * Turns each DNS-name probe into one probe per address (A and AAAA, bounded by
 * MAX_ADDRESSES_PER_NAME), labelled with the address's zone. A name a --connect-to rule matches
 * is reached through the rule, unresolved, as before. A name that does not resolve (or not in
 * time) stays one probe of the name, whose handshake then reports why it cannot be reached.
 * Without `ipv6`, AAAA addresses are not probed, and a name or an instance with IPv6 addresses
 * only is returned in `ipv6Only` instead of being dialled (it would fail from a verifier that has
 * no IPv6 egress).
 */
export async function resolveTargets(
  targets: readonly PlannedTarget[],
  opts: ResolveOptions,
): Promise<ResolvedTargets> {
  const place = oncePlacer(opts);
  const ipv6Only: Ipv6Only[] = [];
  const dialled = (target: ProbeTarget, addresses: string[]): string[] => {
    if (opts.ipv6) return addresses;
    const v4 = addresses.filter((a) => !isIpv6(a));
    if (v4.length === 0)
      ipv6Only.push({
        resource: target.resource,
        ...(isIP(target.host) ? {} : { name: target.host }),
        addresses,
      });
    return v4;
  };
  const expanded = await Promise.all(
    targets.map(async ({ resolve, ...target }): Promise<ProbeTarget[]> => {
      // an IPv6 address is left alone without verifier.ipv6 even when a rule matches it: the
      // CLI's verdict stays the deployed verifier's
      if (!resolve) return dialled(target, [target.host]).length ? [target] : [];
      if (resolveConnectTo(target.host, target.port, opts.connectTo).rule) return [target];
      try {
        const resolved = await resolveAll(target.host, opts.timeoutMs, opts.lookup);
        if (resolved.addresses.length === 0) return [target];
        if (resolved.omitted > 0)
          opts.log.warn('more addresses than are probed', {
            resource: target.resource,
            name: target.host,
            probed: resolved.addresses.length,
            omitted: resolved.omitted,
          });
        const addresses = dialled(target, resolved.addresses);
        if (addresses.length < resolved.addresses.length)
          opts.log.debug('IPv6 addresses not probed (verifier.ipv6 is off)', {
            resource: target.resource,
            skipped: resolved.addresses.length - addresses.length,
          });
        return addresses.length ? addressTargets(target, addresses, await place()) : [];
      } catch (err) {
        opts.log.debug('name not resolved; probing the name itself', {
          resource: target.resource,
          error: errorMessage(err),
        });
        return [target];
      }
    }),
  );
  // in the order of the planned targets, whichever name resolved first
  const order = (r: string) => targets.findIndex((t) => t.resource === r);
  ipv6Only.sort((a, b) => order(a.resource) - order(b.resource));
  return { targets: expanded.flat(), ipv6Only };
}
