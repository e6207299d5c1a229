import type { ClusterConfig, SentinelConfig } from '../../functions/core/config/schema.ts';
import type { Verdict } from '../../functions/core/findings/finding.ts';
import type { Log } from '../../functions/core/log.ts';
import { reconcileClusters } from '../../functions/core/registrar/registrar.ts';
import type { Command } from './common.ts';
import { type FleetOptions, overFleet } from './fleet.ts';
import { fleetCommand } from './fleet-command.ts';

/**
 * The registrar's sweep over the given clusters, each in its own account and region with its own
 * credentials (overFleet), at most `concurrency` clusters at once. Each cluster's `mode` applies
 * unless `dryRun` makes every cluster report-only.
 */
export function reconcileFleet(
  config: SentinelConfig,
  clusters: readonly ClusterConfig[],
  opts: Omit<FleetOptions, 'caller'> & { log: Log; dryRun: boolean },
): Promise<Verdict[]> {
  return overFleet(clusters, { ...opts, caller: 'registrar' }, async (group, clients, limit, onVerdict) => {
    const outcome = await reconcileClusters(group, {
      config,
      clients,
      log: opts.log,
      ...(opts.dryRun ? { modeOverride: 'report-only' as const } : {}),
      limit,
      onVerdict,
    });
    return outcome.verdicts;
  });
}

/** `reconcile`: the registrar's sweep, from a laptop, through the same core, over the whole fleet. */
export const reconcileCommand: Command = (values, io) => {
  const dryRun = values['dry-run'] === true;
  return fleetCommand(values, io, 'reconcile', `reconcile${dryRun ? ' (dry run)' : ''}`, (input) =>
    reconcileFleet(input.config, input.clusters, { ...input, dryRun }),
  );
};
