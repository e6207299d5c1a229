import type { ClusterConfig, SentinelConfig } from '../../functions/core/config/schema.ts';
import type { Verdict } from '../../functions/core/findings/finding.ts';
import type { Log } from '../../functions/core/log.ts';
import { type ConnectTo, parseConnectTo } from '../../functions/core/tls/probe.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { type Command, UsageError } from './common.ts';
import { type FleetOptions, overFleet } from './fleet.ts';
import { fleetCommand } from './fleet-command.ts';
import { outputOf } from './spec.ts';

function connectRules(specs: unknown): ConnectTo[] {
  try {
    return ((specs as string[] | undefined) ?? []).map(parseConnectTo);
  } catch (err) {
    throw new UsageError((err as Error).message, 'verify');
  }
}

/**
 * The verifier's run over the given clusters, each in its own account and region with its own
 * credentials (overFleet), at most `concurrency` clusters at once over all of them.
 */
export function verifyFleet(
  config: SentinelConfig,
  clusters: readonly ClusterConfig[],
  opts: Omit<FleetOptions, 'caller'> & { log: Log; connectTo?: readonly ConnectTo[] },
): Promise<Verdict[]> {
  return overFleet(clusters, { ...opts, caller: 'verifier' }, async (group, clients, limit, onVerdict) => {
    const outcome = await verifyClusters(group, {
      clients,
      log: opts.log,
      ...(opts.connectTo ? { connectTo: opts.connectTo } : {}),
      newInstanceDeadlineMinutes: config.verifier.newInstanceDeadlineMinutes,
      // a laptop decides by the same field as the deployed verifier, so both give the same verdict
      ipv6: config.verifier.ipv6,
      limit,
      onVerdict,
    });
    return outcome.verdicts;
  });
}

/**
 * `verify`: the verifier's checks from a laptop, through the same core; changes nothing. Without
 * `--cluster` every configured cluster, in every account and region, is checked a few at a time,
 * and the table ends with a summary.
 */
export const verifyCommand: Command = (values, io) => {
  // usage errors first, before the config is read
  outputOf(values, 'verify');
  const connectTo = connectRules(values['connect-to']);
  return fleetCommand(values, io, 'verify', 'verify', (input) =>
    verifyFleet(input.config, input.clusters, { ...input, connectTo }),
  );
};
