import { silentLog } from '../functions/core/log.ts';
import { reconcileClusters } from '../functions/core/registrar/registrar.ts';
import type { ConnectTo } from '../functions/core/tls/probe.ts';
import { verifyClusters } from '../functions/core/verify/verify.ts';
import { counted, mutating } from './calls.ts';
import type { Lab } from './lab.ts';
import type { BenchWorld } from './world.ts';

/** The AWS API calls of one sweep over every cluster of a world, and whether it found them in sync. */
export interface Sweep {
  clusters: number;
  calls: Record<string, number>;
  total: number;
  inSync: number;
  mutating: string[];
}

/**
 * The CLI's `reconcile`: reconcileClusters over all clusters. A first, uncounted sweep settles what
 * the local AWS left half done; the counted one must then find everything in sync.
 */
export async function reconcileSweep(lab: Lab, world: BenchWorld): Promise<Sweep> {
  const deps = { config: world.config, clients: lab.clients, log: silentLog };
  await reconcileClusters(world.config.clusters, deps);
  const run = await counted(lab.counter, () => reconcileClusters(world.config.clusters, deps));
  return {
    clusters: world.clusters.length,
    calls: run.calls,
    total: run.total,
    inSync: run.result.verdicts.filter((v) => v.inSync).length,
    mutating: mutating(run.calls),
  };
}

/** The CLI's `verify`: verifyClusters over all clusters, every TLS probe sent to the stand-in. */
export async function verifySweep(lab: Lab, world: BenchWorld, connectTo: ConnectTo[]): Promise<Sweep> {
  const run = await counted(lab.counter, () =>
    verifyClusters(world.config.clusters, { clients: lab.clients, log: silentLog, connectTo }),
  );
  return {
    clusters: world.clusters.length,
    calls: run.calls,
    total: run.total,
    inSync: run.result.verdicts.filter((v) => v.inSync).length,
    mutating: mutating(run.calls),
  };
}
