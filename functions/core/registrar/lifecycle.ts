import { CompleteLifecycleActionCommand, DescribeLifecycleHooksCommand } from '@aws-sdk/client-auto-scaling';
import type { AwsClients } from '../aws/clients.ts';
import { errorMessage, isAwsError } from '../aws/errors.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';
import type { LifecycleHook } from '../events/registrar-event.ts';
import type { Finding } from '../findings/finding.ts';
import { finding } from '../findings/make.ts';

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
    /** Without a token (the sweep), the action is named by the instance id alone. */
    hook: Pick<LifecycleHook, 'name'> & { token?: string };
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
        ...(hook.token ? { LifecycleActionToken: hook.token } : {}),
        InstanceId: instanceId,
        LifecycleActionResult: 'CONTINUE',
      }),
    );
  } catch (err) {
    if (!isAwsError(err, 'ValidationError')) {
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

/** The lifecycle state of an instance that a launch hook holds. */
const WAITING = 'Pending:Wait';

/**
 * The sweep's part in lifecycle hooks: an instance a launch hook of the sentinel's still holds
 * (its action was withheld because a registration failed, or its event was lost) is let into
 * service once the sweep finds it registered everywhere, instead of waiting out the hook's
 * timeout. Reads the groups' hooks only when an instance is waiting, so a steady sweep makes no
 * extra call.
 */
export async function completeWaitingHooks(
  clients: AwsClients,
  args: {
    cluster: string;
    groups: readonly ControlPlaneGroup[];
    findings: readonly Finding[];
    prefix: string;
    loadBalancerLabels: readonly string[];
  },
): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const group of args.groups) {
    const ready = group.instances
      .filter((i) => i.lifecycleState === WAITING)
      .map((i) => i.instanceId)
      .filter((id) => hookReadiness(args.findings, id, args.loadBalancerLabels).ready);
    if (ready.length === 0) continue;
    const res = await clients.autoscaling.send(
      new DescribeLifecycleHooksCommand({ AutoScalingGroupName: group.name }),
    );
    const hooks = (res.LifecycleHooks ?? []).filter(
      (h) =>
        h.LifecycleHookName?.startsWith(args.prefix) &&
        h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING',
    );
    for (const instanceId of ready) {
      for (const h of hooks) {
        const f = await completeOwnHook(clients, {
          cluster: args.cluster,
          group: group.name,
          instanceId,
          hook: { name: h.LifecycleHookName ?? '' },
          prefix: args.prefix,
          readiness: { ready: true },
        });
        if (f) out.push(f);
      }
    }
  }
  return out;
}
