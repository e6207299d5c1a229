import { DescribeInstanceHealthCommand } from '@aws-sdk/client-elastic-load-balancing';
import type { AwsClients } from '../aws/clients.ts';
import type { ClusterConfig } from '../config/schema.ts';
import { describeClassic } from '../lb/classic.ts';
import { type Adapter, isClassic } from '../lb/registrations.ts';
import { judgeClassicHealthCheck, judgeClassicListener } from '../verify/expectations.ts';
import { absent, type LbState, type ReadOptions } from './lb-types.ts';

/** Classic ELBs: one DescribeLoadBalancers for all; with health, one DescribeInstanceHealth each. */
export async function readClassic(
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
