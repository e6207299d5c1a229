import { CompleteLifecycleActionCommand } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws/clients.ts';
import type { LifecycleHook } from '../events/registrar-event.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';
import { errorMessage, errorName } from '../lb/errors.ts';

/**
 * Completes a lifecycle action of one of the sentinel's own hooks (by name prefix) with CONTINUE.
 * Hooks of others are left to their owners. A token that is no longer valid (the hook timed out,
 * or a duplicate event completed it already) is success.
 */
export async function completeOwnHook(
  clients: AwsClients,
  args: { cluster: string; group: string; instanceId: string; hook: LifecycleHook; prefix: string },
): Promise<Finding | undefined> {
  const { hook, group, instanceId, cluster } = args;
  if (!hook.name.startsWith(args.prefix)) return undefined;
  const resource = `${group}:${hook.name}`;
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
