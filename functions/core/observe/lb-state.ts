import { DescribeInstanceHealthCommand } from '@aws-sdk/client-elastic-load-balancing';
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
import { describeClassic } from '../lb/classic.ts';
import type { RegistrationState } from '../lb/port.ts';
import {
  type Adapter,
  adaptersOf,
  isClassic,
  isTargetGroup,
  targetRegistrations,
} from '../lb/registrations.ts';
import { liveTargets, type TargetGroupPort } from '../lb/target-group.ts';
import {
  type HealthCheckJudgment,
  judgeClassicHealthCheck,
  judgeClassicListener,
  judgeNlbListener,
  judgeTargetGroupHealthCheck,
  type ListenerJudgment,
} from '../verify/expectations.ts';

export interface InstanceHealth {
  instanceId: string;
  /** Target groups: the port the target is registered on. */
  port?: number;
  healthy: boolean;
  state: string;
  reason: string;
}

export interface Frontend {
  name: string;
  dnsName: string;
  listener: ListenerJudgment;
}

/**
 * One configured load balancer as observed: whether it exists and what is registered on it
 * (instance → ports, draining targets excluded), and, when health was asked for (the verifier),
 * each registration's health, the frontends nodes dial and the health check.
 */
export interface LbState extends RegistrationState {
  /** Health per registered target (empty unless read with `health`). */
  instances: InstanceHealth[];
  /** The load balancers' DNS names with their listener judgment (empty unless read with `health`). */
  frontends: Frontend[];
  healthCheck?: HealthCheckJudgment;
}

export interface ReadOptions {
  /** Also read health, listeners and health checks (the verifier's extra observation). */
  health?: boolean;
}

const absent = (a: Adapter): LbState => ({
  ref: a.ref,
  label: a.label,
  exists: false,
  instanceIds: new Set(),
  ...(isTargetGroup(a) ? { ports: new Map() } : {}),
  instances: [],
  frontends: [],
});

async function readClassic(
  clients: AwsClients,
  cluster: ClusterConfig,
  adapters: readonly Adapter[],
  opts: ReadOptions,
): Promise<LbState[]> {
  const classic = adapters.filter(isClassic);
  if (classic.length === 0) return [];
  const described = await describeClassic(
    clients,
    classic.map((a) => a.name),
  );
  return Promise.all(
    classic.map(async (a): Promise<LbState> => {
      const d = described.get(a.name);
      if (!d) return absent(a);
      const registered = (d.Instances ?? []).map((i) => i.InstanceId ?? '').filter(Boolean);
      const state: LbState = {
        ...absent(a),
        exists: true,
        instanceIds: new Set(registered),
      };
      if (!opts.health) return state;
      const health = await clients.elb.send(new DescribeInstanceHealthCommand({ LoadBalancerName: a.name }));
      return {
        ...state,
        frontends: [
          {
            name: a.name,
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

/** Without health: one DescribeTargetHealth per target group (through the adapter, which keeps the ports). */
async function readTargetGroups(
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

/**
 * Reads the given load balancers of a cluster: every classic ELB in one DescribeLoadBalancers,
 * each target group with one DescribeTargetHealth, in parallel. With `health`, also each classic
 * ELB's instance health, and each target group's description, load balancers and listeners.
 * Returned in the adapters' order.
 */
export async function readLbStates(
  clients: AwsClients,
  cluster: ClusterConfig,
  adapters: readonly Adapter[],
  opts: ReadOptions = {},
): Promise<LbState[]> {
  const [classic, tgs] = await Promise.all([
    readClassic(clients, cluster, adapters, opts),
    readTargetGroups(clients, cluster, adapters, opts),
  ]);
  const byLabel = new Map([...classic, ...tgs].map((s) => [s.label, s]));
  return adapters.map((a) => byLabel.get(a.label) ?? absent(a));
}

/** Every configured load balancer of a cluster (the follow-up's view of one instance's registrations). */
export function readClusterLbs(clients: AwsClients, cluster: ClusterConfig, opts: ReadOptions = {}) {
  return readLbStates(clients, cluster, adaptersOf(cluster, clients), opts);
}
