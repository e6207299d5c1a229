import { AttachLoadBalancerTargetGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.ts';
import { isAwsError } from '../aws/errors.ts';
import { deregisterEach } from './errors.ts';
import { type LoadBalancerPort, labelOf } from './port.ts';

export class TargetGroupPort implements LoadBalancerPort {
  readonly ref: { kind: 'target-group'; arn: string };
  readonly label: string;
  /** Ports seen on registered targets, so deregistration names the same ports. */
  private readonly ports = new Map<string, number[]>();

  constructor(
    private readonly clients: AwsClients,
    readonly arn: string,
    /** The port the apiserver listens on (`api.instancePort`): registrations are made on it. */
    readonly instancePort: number,
  ) {
    this.ref = { kind: 'target-group', arn };
    this.label = labelOf(this.ref);
  }

  async attach(groupName: string): Promise<void> {
    await this.clients.autoscaling.send(
      new AttachLoadBalancerTargetGroupsCommand({
        AutoScalingGroupName: groupName,
        TargetGroupARNs: [this.arn],
      }),
    );
  }

  /** Registered targets (deduplicated by instance id); undefined when the target group does not exist. */
  async describe(): Promise<TargetHealthDescription[] | undefined> {
    try {
      const res = await this.clients.elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: this.arn }),
      );
      const list = res.TargetHealthDescriptions ?? [];
      this.ports.clear();
      for (const t of list) {
        const { Id, Port } = t.Target ?? {};
        if (Id && Port) this.ports.set(Id, [...(this.ports.get(Id) ?? []), Port]);
      }
      return list;
    } catch (err) {
      if (isAwsError(err, 'TargetGroupNotFound')) return undefined;
      throw err;
    }
  }

  async register(instanceIds: string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    await this.clients.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: this.arn,
        Targets: instanceIds.map((Id) => ({ Id, Port: this.instancePort })),
      }),
    );
  }

  async deregister(instanceIds: string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    await deregisterEach(
      instanceIds,
      (ids) =>
        this.clients.elbv2.send(
          new DeregisterTargetsCommand({
            TargetGroupArn: this.arn,
            Targets: ids.flatMap((Id) => {
              const ports = this.ports.get(Id);
              return ports?.length ? ports.map((Port) => ({ Id, Port })) : [{ Id }];
            }),
          }),
        ),
      ['InvalidTarget'],
    );
  }

  async deregisterPorts(instanceId: string, ports: number[]): Promise<void> {
    if (ports.length === 0) return;
    await this.clients.elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: this.arn,
        Targets: ports.map((Port) => ({ Id: instanceId, Port })),
      }),
    );
  }

  /** The ports an instance is registered on now (non-draining), read again from the target group. */
  async portsNow(instanceId: string): Promise<number[]> {
    return liveTargets((await this.describe()) ?? [])
      .filter((t) => t.Target?.Id === instanceId)
      .flatMap((t) => (t.Target?.Port !== undefined ? [t.Target.Port] : []));
  }
}

/**
 * The targets that count as registered: a draining target is on its way out. The one place this
 * rule is written (the picture's registrations and health, and the re-read before a port removal).
 */
export function liveTargets(list: readonly TargetHealthDescription[]): TargetHealthDescription[] {
  return list.filter((t) => t.TargetHealth?.State !== 'draining');
}
