import { DescribeInstanceHealthCommand } from '@aws-sdk/client-elastic-load-balancing';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Listener,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { describeClassic } from '../lb/classic.ts';
import { errorName } from '../lb/errors.ts';
import { labelOf, type RegistrationState, refsOf } from '../lb/port.ts';
import { targetRegistrations } from '../lb/registrations.ts';
import {
  type HealthCheckJudgment,
  judgeClassicHealthCheck,
  judgeClassicListener,
  judgeNlbListener,
  judgeTargetGroupHealthCheck,
  type ListenerJudgment,
} from './expectations.ts';

export interface InstanceHealth {
  instanceId: string;
  /** Target groups: the port the target is registered on. */
  port?: number;
  healthy: boolean;
  state: string;
  reason: string;
}

/** What the verifier learns about one configured load balancer, read in as few calls as it can. */
export interface LbFacts {
  label: string;
  exists: boolean;
  /** The load balancers' DNS names nodes would use, each with its listener judgment. */
  frontends: { name: string; dnsName: string; listener: ListenerJudgment }[];
  healthCheck?: HealthCheckJudgment;
  instances: InstanceHealth[];
}

async function classicFacts(
  clients: AwsClients,
  cluster: ClusterConfig,
  names: string[],
): Promise<LbFacts[]> {
  const described = await describeClassic(clients, names);
  return Promise.all(
    names.map(async (name): Promise<LbFacts> => {
      const label = labelOf({ kind: 'classic', name });
      const d = described.get(name);
      if (!d) return { label, exists: false, frontends: [], instances: [] };
      const health = await clients.elb.send(new DescribeInstanceHealthCommand({ LoadBalancerName: name }));
      return {
        label,
        exists: true,
        frontends: [
          {
            name,
            dnsName: d.DNSName ?? '',
            listener: judgeClassicListener(
              d.ListenerDescriptions ?? [],
              cluster.api.port,
              cluster.api.instancePort,
            ),
          },
        ],
        healthCheck: judgeClassicHealthCheck(d.HealthCheck, cluster.healthCheck.classic),
        instances: (health.InstanceStates ?? []).map((s) => ({
          instanceId: s.InstanceId ?? '',
          healthy: s.State === 'InService',
          state: s.State ?? 'Unknown',
          reason: [s.ReasonCode, s.Description].filter((x) => x && x !== 'N/A').join(': '),
        })),
      };
    }),
  );
}

async function describeTargetGroup(clients: AwsClients, arn: string): Promise<TargetGroup | undefined> {
  try {
    const res = await clients.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    return res.TargetGroups?.[0];
  } catch (err) {
    if (errorName(err) === 'TargetGroupNotFound') return undefined;
    throw err;
  }
}

async function targetGroupFacts(
  clients: AwsClients,
  cluster: ClusterConfig,
  arns: string[],
): Promise<LbFacts[]> {
  const groups = await Promise.all(arns.map((arn) => describeTargetGroup(clients, arn)));
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
    arns.map(async (arn, i): Promise<LbFacts> => {
      const label = labelOf({ kind: 'target-group', arn });
      const tg = groups[i];
      if (!tg) return { label, exists: false, frontends: [], instances: [] };
      const health = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return {
        label,
        exists: true,
        frontends: (tg.LoadBalancerArns ?? []).map((lbArn) => {
          const lb = lbs.find((l) => l.LoadBalancerArn === lbArn);
          return {
            name: lb?.LoadBalancerName ?? lbArn,
            dnsName: lb?.DNSName ?? '',
            listener: judgeNlbListener(listenersOf.get(lbArn) ?? [], cluster.api.port, arn),
          };
        }),
        healthCheck: judgeTargetGroupHealthCheck(tg, cluster.healthCheck.targetGroup),
        instances: (health.TargetHealthDescriptions ?? [])
          .filter((t) => t.TargetHealth?.State !== 'draining')
          .map((t) => ({
            instanceId: t.Target?.Id ?? '',
            ...(t.Target?.Port !== undefined ? { port: t.Target.Port } : {}),
            healthy: t.TargetHealth?.State === 'healthy',
            state: t.TargetHealth?.State ?? 'unknown',
            reason: [t.TargetHealth?.Reason, t.TargetHealth?.Description].filter(Boolean).join(': '),
          })),
      };
    }),
  );
}

/** Reads every configured load balancer of a cluster: classic ELBs in one batch, target groups in parallel. */
export async function readLbFacts(clients: AwsClients, cluster: ClusterConfig): Promise<LbFacts[]> {
  const refs = refsOf(cluster);
  const classic = refs.flatMap((r) => (r.kind === 'classic' ? [r.name] : []));
  const tgs = refs.flatMap((r) => (r.kind === 'target-group' ? [r.arn] : []));
  const [a, b] = await Promise.all([
    classic.length ? classicFacts(clients, cluster, classic) : Promise.resolve([]),
    tgs.length ? targetGroupFacts(clients, cluster, tgs) : Promise.resolve([]),
  ]);
  return [...a, ...b];
}

/** The registrations the facts show, in the shape the registration check reads them. */
export function registrationsOf(
  cluster: ClusterConfig,
  facts: readonly LbFacts[],
): Map<string, RegistrationState> {
  const out = new Map<string, RegistrationState>();
  for (const ref of refsOf(cluster)) {
    const f = facts.find((x) => x.label === labelOf(ref));
    const instances = f?.instances ?? [];
    out.set(labelOf(ref), {
      ref,
      label: labelOf(ref),
      exists: f?.exists ?? false,
      ...(ref.kind === 'target-group'
        ? targetRegistrations(instances.map((i) => ({ id: i.instanceId, port: i.port })))
        : { instanceIds: new Set(instances.map((i) => i.instanceId)) }),
    });
  }
  return out;
}
