import type { AwsClients } from '../core/aws/clients.ts';
import type { SentinelConfig } from '../core/config/schema.ts';
import type { Log } from '../core/log.ts';
import type { RegistrarOutcome } from '../core/registrar/registrar.ts';
import { enqueueFollowUps, followUpsFor } from '../core/verify/follow-up.ts';
import { type ReportTargets, reportRun } from '../shared/report.ts';

/** After a registrar run: alerts for drift, and a follow-up verification of each new control-plane instance. */
export async function afterRegistrar(
  outcome: RegistrarOutcome,
  deps: { config: SentinelConfig; clients: AwsClients; log: Log; targets: ReportTargets; now?: Date },
): Promise<void> {
  const { config, targets } = deps;
  const followUps = followUpsFor(
    outcome.newInstances,
    deps.now ?? new Date(),
    config.verifier.newInstanceDeadlineMinutes,
  );
  const queued =
    followUps.length > 0 && targets.followUpQueueUrl
      ? enqueueFollowUps(
          deps.clients,
          targets.followUpQueueUrl,
          followUps,
          config.verifier.followUpDelaySeconds,
        )
      : Promise.resolve();
  await Promise.all([reportRun('registrar', outcome.verdicts, deps), queued]);
}
