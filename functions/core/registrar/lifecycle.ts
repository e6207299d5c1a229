import { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws/clients.ts';
import type { LifecycleHook } from '../events/registrar-event.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { errorMessage, errorName } from '../lb/errors.ts';

/** Whether a launching instance may be let into service: registered on every configured load balancer. */
export type HookReadiness = { ready: true } | { ready: false; missing: string[] };

/**
 * Reads the run's findings for one instance: it is ready when, for every configured load
 * balancer label, the run saw it registered (INSTANCE_REGISTERED) or registered it
 * (INSTANCE_NOT_REGISTERED with action `repaired`). A report-only run registers nothing, so there
 * only an instance that was already registered everywhere is ready. A failed run is never ready.
 */
export function hookReadiness(
  findings: readonly Finding[],
  instanceId: string,
  loadBalancerLabels: readonly string[],
): HookReadiness {
  if (findings.some((f) => f.code === 'AWS_CALL_FAILED'))
    return { ready: false, missing: ['the run failed (AWS_CALL_FAILED)'] };
  const registeredOn = new Set(
    findings
      .filter(
        (f) =>
          f.code === 'INSTANCE_REGISTERED' ||
          (f.code === 'INSTANCE_NOT_REGISTERED' && f.action === 'repaired'),
      )
      .map((f) => f.resource)
      .filter((r) => r.endsWith(`:${instanceId}`))
      .map((r) => r.slice(0, -(instanceId.length + 1))),
  );
  const missing = loadBalancerLabels.filter((l) => !registeredOn.has(l));
  if (loadBalancerLabels.length === 0) return { ready: false, missing: ['no load balancer is configured'] };
  return missing.length === 0 ? { ready: true } : { ready: false, missing };
}

/**
 * Completes a lifecycle action of one of the sentinel's own hooks (by name prefix) with CONTINUE,
 * once the instance is ready (see hookReadiness); until then the action is withheld (the next
 * copy of the event may complete it, or the hook times out to its DefaultResult). Hooks of others
 * are left to their owners. A token that is no longer valid (the hook timed out, or a duplicate
 * event completed it already) is success.
 */
export async function completeOwnHook(
  clients: AwsClients,
  args: {
    cluster: string;
    group: string;
    instanceId: string;
    hook: LifecycleHook;
    prefix: string;
    readiness: HookReadiness;
  },
): Promise<Finding | undefined> {
  const { hook, group, instanceId, cluster, readiness } = args;
  if (!hook.name.startsWith(args.prefix)) return undefined;
  const resource = `${group}:${hook.name}`;
  if (!readiness.ready) {
    return finding('LIFECYCLE_ACTION_WITHHELD', {
      cluster,
      resource,
      expected: 'instance registered on every configured load balancer',
      actual: `not registered: ${readiness.missing.join(', ')}`,
      message: `lifecycle action ${hook.name} for ${instanceId} not completed: ${instanceId} is not registered on ${readiness.missing.join(', ')}; the hook will time out to its default result`,
    });
  }
  try {
    await clients.autoscaling.send(
      new CompleteLifecycleActionCommand({
        AutoScalingGroupName: group,
        LifecycleHookName: hook.name,
        LifecycleActionToken: hook.token,
        InstanceId: instanceId,
        LifecycleActionResult: 'CONTINUE',
      }),
    );
  } catch (err) {
    if (errorName(err) !== 'ValidationError') {
      return finding('LIFECYCLE_ACTION_FAILED', {
        cluster,
        resource,
        expected: 'lifecycle action completed',
        actual: errorMessage(err),
        message: `could not complete lifecycle action ${hook.name} for ${instanceId}; the hook will time out to its default result`,
      });
    }
  }
  return finding('LIFECYCLE_ACTION_COMPLETED', {
    cluster,
    resource,
    expected: 'completed',
    actual: 'completed',
    message: `lifecycle action ${hook.name} for ${instanceId} completed with CONTINUE`,
  });
}
