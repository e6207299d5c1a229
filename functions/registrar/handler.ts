import { stackOrigin } from '../core/events/limits.ts';
import { parseRegistrarEvent } from '../core/events/registrar-event.ts';
import { handleRegistrarEvent, type RegistrarOutcome } from '../core/registrar/registrar.ts';
import { sentinelHandler } from '../shared/middy-stack.ts';
import { parseOrReject } from '../shared/parse-event.ts';
import { log, logger } from '../shared/powertools.ts';
import { reportTargets } from '../shared/report.ts';
import { ownRuntime, type Runtime, runtime } from '../shared/runtime.ts';
import { type RunSummary, summarize } from '../shared/summary.ts';
import { afterRegistrar } from './after.ts';
import { REGISTRAR_CLIENTS } from './clients.ts';

export type RegistrarResult =
  | ({ status: 'done' } & RunSummary)
  | { status: 'ignored' | 'rejected'; reason: string };

/**
 * Registrar: an Auto Scaling event, a CloudTrail detach, or the scheduled sweep in; the internal
 * load balancer attached and registered (or findings saying why not) out. A malformed event is
 * logged and answered, not thrown, so it is never retried. An AWS failure during reconcile is an
 * AWS_CALL_FAILED finding (alerted; the next sweep tries again); one before it (reading the group)
 * or in alerting throws, so Lambda's async retries and then the dead-letter queue keep the event.
 */
export function createHandler(
  deps: () => Runtime = runtime(REGISTRAR_CLIENTS),
  env: NodeJS.ProcessEnv = process.env,
) {
  const own = ownRuntime(deps, REGISTRAR_CLIENTS);
  return sentinelHandler(async (event: unknown): Promise<RegistrarResult> => {
    const { config, clients } = own();
    // only events of the stack's own account and region are believed (see parseRegistrarEvent)
    const origin = stackOrigin(config);
    const input = parseOrReject((e) => parseRegistrarEvent(e, origin), event);
    if ('rejected' in input) return input.rejected;
    const parsed = input.event;
    const outcome: RegistrarOutcome = await handleRegistrarEvent(parsed, { config, clients, log });
    if (outcome.ignored) {
      logger.info('ignored event', { reason: outcome.ignored });
      return { status: 'ignored', reason: outcome.ignored };
    }
    await afterRegistrar(outcome, { config, clients, log, targets: reportTargets(env) });
    return { status: 'done', ...summarize(outcome.verdicts) };
  });
}

export const handler = createHandler();
