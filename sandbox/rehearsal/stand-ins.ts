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
 * a certificate from the test kops CA), and a TCP stand-in for each load balancer's data plane:
 * it passes connections through to an instance (TCP listener) or, once the story swaps the classic
 * load balancer's listener, hands that load balancer's connections to a server presenting the
 * ACM-like certificate (the network load balancer keeps passing through, as in AWS). The API name
 * resolves to the classic load balancer. moto emulates the AWS APIs, not their data plane; these
 * stand-ins are reached through --connect-to rules.
 */
export class StandIns {
  private readonly instances = new Map<string, { ip: string; server: TlsEndpoint }>();
  private readonly sockets = new Set<Socket>();
  /** The data-plane stand-ins: the classic load balancer's (which the story swaps) and the NLB's. */
  private lbs: { dnsName: string; server: Server; port: number; swappable: boolean }[] = [];
  private acm?: TlsEndpoint;
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
    const classic = await this.clients.elb.send(
      new DescribeLoadBalancersCommand({ LoadBalancerNames: [classicName] }),
    );
    const nlb = await this.clients.elbv2.send(new DescribeNlbsCommand({ LoadBalancerArns: [nlbArn] }));
    const names = [
      { dnsName: classic.LoadBalancerDescriptions?.[0]?.DNSName ?? '', swappable: true },
      { dnsName: nlb.LoadBalancers?.[0]?.DNSName ?? '', swappable: false },
    ];
    for (const { dnsName, swappable } of names) {
      const server = createServer((client) => this.passThrough(client, swappable));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.lbs.push({ dnsName, server, port: (server.address() as AddressInfo).port, swappable });
    }
  }

  private passThrough(client: Socket, swappable: boolean): void {
    const servers = [...this.instances.values()].map((i) => i.server);
    const target =
      swappable && this.mode === 'terminate-with-acm'
        ? this.acm
        : servers[this.next++ % Math.max(1, servers.length)];
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

  /**
   * curl-style rules: each instance address to its server, each load balancer name to its
   * data-plane stand-in, the API name to the classic load balancer's.
   */
  rules(port: number, apiHostname: string): ConnectTo[] {
    const named = this.lbs.filter((lb) => lb.dnsName);
    const api = this.lbs.find((lb) => lb.swappable);
    return [
      ...(api ? [parseConnectTo(`${apiHostname}:${port}:127.0.0.1:${api.port}`)] : []),
      ...named.map((lb) => parseConnectTo(`${lb.dnsName}:${port}:127.0.0.1:${lb.port}`)),
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
    for (const lb of this.lbs) await new Promise<void>((resolve) => lb.server.close(() => resolve()));
    this.lbs = [];
  }
}
