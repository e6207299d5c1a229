import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  type Listener,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.ts';
import { isAwsError } from '../aws/errors.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { type Adapter, isTargetGroup, targetRegistrations } from '../lb/registrations.ts';
import { liveTargets, type TargetGroupPort } from '../lb/target-group.ts';
import { judgeNlbListener, judgeTargetGroupHealthCheck } from '../verify/expectations.ts';
import { absent, type LbState, type ReadOptions } from './lb-types.ts';

export async function describeTargetGroup(
  clients: AwsClients,
  arn: string,
): Promise<TargetGroup | undefined> {
  try {
    const res = await clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    return res.TargetGroups?.[0];
  } catch (err) {
    if (isAwsError(err, 'TargetGroupNotFound')) return undefined;
    throw err;
  }
}

/** Registrations and (with health) health of a target group's live targets. */
function fromTargets(a: TargetGroupPort, targets: readonly TargetHealthDescription[]): LbState {
  const live = liveTargets(targets);
  return {
    ...absent(a),
    exists: true,
    ...targetRegistrations(live.map((t) => ({ id: t.Target?.Id ?? '', port: t.Target?.Port }))),
    instances: live.map((t) => ({
      instanceId: t.Target?.Id ?? '',
      ...(t.Target?.Port !== undefined ? { port: t.Target.Port } : {}),
      healthy: t.TargetHealth?.State === 'healthy',
      state: t.TargetHealth?.State ?? 'unknown',
      reason: [t.TargetHealth?.Reason, t.TargetHealth?.Description].filter(Boolean).join(': '),
    })),
  };
}

/**
 * Target groups: one DescribeTargetHealth each (through the adapter, which keeps the ports for
 * deregistration); with health, first each DescribeTargetGroups, then the load balancers and listeners.
 */
export async function readTargetGroups(
  clients: AwsClients,
  cluster: ClusterConfig,
  adapters: readonly Adapter[],
  opts: ReadOptions,
): Promise<LbState[]> {
  const tgs = adapters.filter(isTargetGroup);
  if (tgs.length === 0) return [];
  if (!opts.health)
    return Promise.all(
      tgs.map(async (a) => {
        const targets = await a.describe();
        return targets ? { ...fromTargets(a, targets), instances: [] } : absent(a);
      }),
    );
  const groups = await Promise.all(tgs.map((a) => describeTargetGroup(clients, a.arn)));
  const lbArns = [...new Set(groups.flatMap((g) => g?.LoadBalancerArns ?? []))];
  const [lbs, listeners] = await Promise.all([
    lbArns.length
      ? clients.elbv2
          .send(new DescribeLoadBalancersCommand({ LoadBalancerArns: lbArns }))
          .then((r) => r.LoadBalancers ?? [])
      : Promise.resolve([]),
    Promise.all(
      lbArns.map((LoadBalancerArn) =>
        clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn })).then((r) => r.Listeners ?? []),
      ),
    ),
  ]);
  const listenersOf = new Map<string, Listener[]>(lbArns.map((a, i) => [a, listeners[i] ?? []]));
  return Promise.all(
    tgs.map(async (a, i): Promise<LbState> => {
      const tg = groups[i];
      if (!tg) return absent(a);
      const targets = (await a.describe()) ?? [];
      return {
        ...fromTargets(a, targets),
        frontends: (tg.LoadBalancerArns ?? []).map((lbArn) => {
          const lb = lbs.find((l) => l.LoadBalancerArn === lbArn);
          return {
            name: lb?.LoadBalancerName ?? lbArn,
            dnsName: lb?.DNSName ?? '',
            listener: judgeNlbListener(listenersOf.get(lbArn) ?? [], cluster.api.port, a.arn),
          };
        }),
        healthCheck: judgeTargetGroupHealthCheck(tg, cluster.healthCheck.targetGroup),
      };
    }),
  );
}
