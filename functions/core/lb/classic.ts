import { AttachLoadBalancersCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeregisterInstancesFromLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  type LoadBalancerDescription,
  RegisterInstancesWithLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import { batchOrEach } from '../aws/batch-or-each.ts';
import type { AwsClients } from '../aws/clients.ts';
import { isAwsError } from '../aws/errors.ts';
import { deregisterEach } from './errors.ts';
import { type LoadBalancerPort, labelOf } from './port.ts';

export class ClassicElbPort implements LoadBalancerPort {
  readonly ref: { kind: 'classic'; name: string };
  readonly label: string;

  constructor(
    private readonly clients: AwsClients,
    readonly name: string,
  ) {
    this.ref = { kind: 'classic', name };
    this.label = labelOf(this.ref);
  }

  async attach(groupName: string): Promise<void> {
    await this.clients.autoscaling.send(
      new AttachLoadBalancersCommand({ AutoScalingGroupName: groupName, LoadBalancerNames: [this.name] }),
    );
  }

  async register(instanceIds: string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    await this.clients.elb.send(
      new RegisterInstancesWithLoadBalancerCommand({
        LoadBalancerName: this.name,
        Instances: instanceIds.map((InstanceId) => ({ InstanceId })),
      }),
    );
  }

  async deregister(instanceIds: string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    await deregisterEach(
      instanceIds,
      (ids) =>
        this.clients.elb.send(
          new DeregisterInstancesFromLoadBalancerCommand({
            LoadBalancerName: this.name,
            Instances: ids.map((InstanceId) => ({ InstanceId })),
          }),
        ),
      ['InvalidInstance', 'InvalidEndPoint'],
    );
  }
}

/**
 * Describes classic ELBs by name in one call; when one of them does not exist the batch call
 * fails as a whole, so it falls back to one call per name to tell which.
 */
export async function describeClassic(
  clients: AwsClients,
  names: readonly string[],
): Promise<Map<string, LoadBalancerDescription | undefined>> {
  const unique = [...new Set(names)];
  const found = await batchOrEach(
    unique,
    async (LoadBalancerNames) =>
      (await clients.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerNames })))
        .LoadBalancerDescriptions ?? [],
    isClassicNotFound,
  );
  const out = new Map<string, LoadBalancerDescription | undefined>();
  for (const d of found) out.set(d.LoadBalancerName ?? '', d);
  for (const n of unique) if (!out.has(n)) out.set(n, undefined);
  return out;
}

/** A classic ELB call naming a load balancer that does not exist. */
export function isClassicNotFound(err: unknown): boolean {
  return isAwsError(err, 'LoadBalancerNotFound', 'AccessPointNotFound');
}
