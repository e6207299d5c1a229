import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { Log } from '../core/log.ts';
import type { RegistrarOutcome } from '../core/registrar/registrar.ts';
import { planFollowUps, startFollowUps } from '../core/verify/follow-up-start.ts';
import { type ReportTargets, reportRun } from '../shared/report.ts';

/**
 * After a registrar run: alerts for drift, and a follow-up verification of each new control-plane
 * instance, one chain per launch however many copies of the event arrive (claimed in the alert
 * table, so follow-ups need it).
 */
export async function afterRegistrar(
  outcome: RegistrarOutcome,
  deps: { config: SentinelConfig; clients: AwsClients; log: Log; targets: ReportTargets },
): Promise<void> {
  const { config, targets, log } = deps;
  const followUps = async (): Promise<void> => {
    if (outcome.newInstances.length === 0 || !targets.followUpQueueUrl) return;
    if (!targets.tableName) {
      log.warn(
        'follow-ups need the alert table (ALERT_TABLE_NAME) to start one chain per launch; none queued',
      );
      return;
    }
    const planned = await planFollowUps(
      deps.clients,
      outcome.newInstances,
      config.verifier.newInstanceDeadlineMinutes,
    );
    const r = await startFollowUps(
      deps.clients,
      { queueUrl: targets.followUpQueueUrl, tableName: targets.tableName },
      planned,
      config.verifier.followUpDelaySeconds,
    );
    if (r.started.length > 0 || r.alreadyStarted.length > 0) log.info('follow-ups', r);
  };
  await Promise.all([reportRun('registrar', outcome.verdicts, deps), followUps()]);
}
