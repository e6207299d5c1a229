import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DescribeLoadBalancersCommand as DescribeNlbsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from '../../functions/core/aws/clients.ts';
import { type ConnectTo, parseConnectTo } from '../../functions/core/tls/connect-to.ts';
import { type LoopbackGuard, startLoopbackGuard } from '../loopback-guard.ts';
import { startTlsServer, type TlsEndpoint } from '../tls-servers.ts';

export interface ServingCert {
  certPem: string;
  keyPem: string;
}

/**
 * Local TLS servers standing in for the control-plane instances (one per live instance, serving
 * a certificate from the test kops CA), and a TCP stand-in for the load balancers' data plane:
 * it passes connections through to an instance (TCP listener) or, once the story swaps the
 * listener, to a server presenting the ACM-like certificate. moto emulates the AWS APIs, not
 * their data plane; these stand-ins are reached through --connect-to rules.
 */
export class StandIns {
  private readonly instances = new Map<string, { ip: string; server: TlsEndpoint }>();
  private readonly sockets = new Set<Socket>();
  private lb?: Server;
  private lbPort = 0;
  private acm?: TlsEndpoint;
  private lbNames: string[] = [];
  private next = 0;
  private guard?: LoopbackGuard;
  mode: 'pass-through' | 'terminate-with-acm' = 'pass-through';

  constructor(
    private readonly clients: AwsClients,
    private readonly serving: ServingCert,
    private readonly acmLike: ServingCert,
  ) {}

  async start(classicName: string, nlbArn: string): Promise<void> {
    this.guard = await startLoopbackGuard();
    this.acm = await startTlsServer({ cert: this.acmLike.certPem, key: this.acmLike.keyPem });
    this.lb = createServer((client) => this.passThrough(client));
    await new Promise<void>((resolve) => this.lb?.listen(0, '127.0.0.1', resolve));
    this.lbPort = (this.lb.address() as AddressInfo).port;
    const classic = await this.clients.elb.send(
      new DescribeLoadBalancersCommand({ LoadBalancerNames: [classicName] }),
    );
    const nlb = await this.clients.elbv2.send(new DescribeNlbsCommand({ LoadBalancerArns: [nlbArn] }));
    this.lbNames = [
      classic.LoadBalancerDescriptions?.[0]?.DNSName ?? '',
      nlb.LoadBalancers?.[0]?.DNSName ?? '',
    ].filter(Boolean);
  }

  private passThrough(client: Socket): void {
    const servers = [...this.instances.values()].map((i) => i.server);
    const target =
      this.mode === 'terminate-with-acm' ? this.acm : servers[this.next++ % Math.max(1, servers.length)];
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.host, port: target.port });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  /** Starts a server for every live control-plane instance that has none; stops those of gone instances. */
  async sync(groups: string[]): Promise<void> {
    const res = await this.clients.autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups }),
    );
    const live = (res.AutoScalingGroups ?? []).flatMap((g) =>
      (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId ?? ''),
    );
    for (const [id, entry] of this.instances) {
      if (!live.includes(id)) {
        this.instances.delete(id);
        await entry.server.close();
      }
    }
    const missing = live.filter((id) => !this.instances.has(id));
    if (missing.length === 0) return;
    const described = await this.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: missing }));
    for (const i of (described.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (!i.InstanceId || !i.PrivateIpAddress) continue;
      const server = await startTlsServer({ cert: this.serving.certPem, key: this.serving.keyPem });
      this.instances.set(i.InstanceId, { ip: i.PrivateIpAddress, server });
    }
  }

  /** curl-style rules: each instance address to its server, each load balancer name to the data-plane stand-in. */
  rules(port: number, apiHostname: string): ConnectTo[] {
    return [
      ...[apiHostname, ...this.lbNames].map((n) => parseConnectTo(`${n}:${port}:127.0.0.1:${this.lbPort}`)),
      ...[...this.instances.values()].map((i) =>
        parseConnectTo(`${i.ip}:${port}:127.0.0.1:${i.server.port}`),
      ),
      ...(this.guard ? [this.guard.rule] : []),
    ];
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.instances.values()].map((i) => i.server.close()));
    this.instances.clear();
    await this.acm?.close();
    await this.guard?.close();
    const lb = this.lb;
    if (lb) await new Promise<void>((resolve) => lb.close(() => resolve()));
  }
}
