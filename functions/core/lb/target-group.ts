import { AttachLoadBalancerTargetGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../aws/clients.ts';
import type { ControlPlaneGroup } from '../discovery/control-plane.ts';
import { deregisterEach, errorName } from './errors.ts';
import { type LoadBalancerPort, labelOf } from './port.ts';

export class TargetGroupPort implements LoadBalancerPort {
  readonly ref: { kind: 'target-group'; arn: string };
  readonly label: string;
  /** Ports seen on registered targets, so deregistration names the same port. */
  private readonly ports = new Map<string, number>();

  constructor(
    private readonly clients: AwsClients,
    readonly arn: string,
  ) {
    this.ref = { kind: 'target-group', arn };
    this.label = labelOf(this.ref);
  }

  isAttached(group: ControlPlaneGroup): boolean {
    return group.targetGroupArns.includes(this.arn);
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
      for (const t of list) if (t.Target?.Id && t.Target.Port) this.ports.set(t.Target.Id, t.Target.Port);
      return list;
    } catch (err) {
      if (errorName(err) === 'TargetGroupNotFound') return undefined;
      throw err;
    }
  }

  async register(instanceIds: string[]): Promise<void> {
    if (instanceIds.length === 0) return;
    await this.clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: this.arn, Targets: instanceIds.map((Id) => ({ Id })) }),
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
            Targets: ids.map((Id) => {
              const Port = this.ports.get(Id);
              return Port ? { Id, Port } : { Id };
            }),
          }),
        ),
      ['InvalidTarget'],
    );
  }
}
