import { clustersForEvent } from '../core/config/select.ts';
import { stackOrigin } from '../core/events/limits.ts';
import { parseVerifierEvent } from '../core/events/verifier-event.ts';
import { verifyClusters } from '../core/verify/verify.ts';
import { sentinelHandler } from '../shared/middy-stack.ts';
import { parseOrReject } from '../shared/parse-event.ts';
import { log, logger } from '../shared/powertools.ts';
import { reportRun, reportTargets } from '../shared/report.ts';
import { ownRuntime, type Runtime, runtime } from '../shared/runtime.ts';
import { type RunSummary, summarize } from '../shared/summary.ts';
import { VERIFIER_CLIENTS } from './clients.ts';
import { type BatchResult, runFollowUps } from './follow-ups.ts';

export type VerifyResult = ({ status: 'done' } & RunSummary) | { status: 'rejected'; reason: string };

/**
 * Verifier: runs in the node subnets with the node security group, so its TLS handshakes start
 * where kubelet's do. Scheduled and on-demand runs verify every configured cluster; SQS batches
 * are follow-ups of newly registered instances. Every full run counts one `Verifications` metric
 * per cluster (run-metrics.ts), which the stack's staleness alarm reads, and ends with the log
 * line "verification completed".
 */
export function createHandler(
  deps: () => Runtime = runtime(VERIFIER_CLIENTS),
  env: NodeJS.ProcessEnv = process.env,
) {
  const own = ownRuntime(deps, VERIFIER_CLIENTS);
  return sentinelHandler(async (event: unknown): Promise<VerifyResult | BatchResult> => {
    const { config, clients, connectTo } = own();
    const origin = stackOrigin(config);
    const input = parseOrReject((e) => parseVerifierEvent(e, origin), event);
    if ('rejected' in input) return input.rejected;
    const parsed = input.event;
    const local = connectTo ? { connectTo } : {};
    const targets = reportTargets(env);
    if (parsed.kind === 'follow-up')
      return runFollowUps(parsed.records, { config, clients, log, targets, ...local });
    const picked = clustersForEvent(config, parsed.cluster);
    if ('unknown' in picked) return { status: 'rejected', reason: picked.unknown };
    const outcome = await verifyClusters(picked.clusters, {
      clients,
      log,
      newInstanceDeadlineMinutes: config.verifier.newInstanceDeadlineMinutes,
      ipv6: config.verifier.ipv6,
      ...local,
    });
    await reportRun('verifier', outcome.verdicts, { config, clients, log, targets, verification: true });
    const summary = summarize(outcome.verdicts);
    logger.info('verification completed', {
      reason: parsed.reason,
      clusters: picked.clusters.length,
      inSync: summary.inSync,
    });
    return { status: 'done', ...summary };
  });
}

export const handler = createHandler();
