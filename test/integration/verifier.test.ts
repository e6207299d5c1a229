import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { DetachLoadBalancersCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import {
  ConfigureHealthCheckCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { type Finding, isDrift } from '../../functions/core/findings/finding.ts';
import { silentLog } from '../../functions/core/log.ts';
import { type ConnectTo, parseConnectTo } from '../../functions/core/tls/probe.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { replaceClassicListener } from '../../sandbox/kops-account.ts';
import { type LoopbackGuard, startLoopbackGuard } from '../../sandbox/loopback-guard.ts';
import { createCa, issueServerCert, type TestCa } from '../../sandbox/pki.ts';
import { createStateStoreBucket, putNodeGroupTrust } from '../../sandbox/state-store.ts';
import { Endpoints, startSilentServer, startTlsServer, type TlsEndpoint } from '../../sandbox/tls-servers.ts';
import { buildWorld, CLUSTER, type World } from '../../sandbox/world.ts';
import { group } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

const HOST = `api.internal.${CLUSTER}`;
const moto = withMoto();
let clients = createAwsClients();
let world: World;
let kopsCa: TestCa;
const servers = new Endpoints();
let good: TlsEndpoint[];
let acmLike: TlsEndpoint;
let acmCertPems: { cert: string; key: string; chain: string };
let hung: { port: number };
let guard: LoopbackGuard;

beforeAll(async () => {
  kopsCa = await createCa('kubernetes-ca');
  const serving = await issueServerCert(kopsCa, {
    dns: [HOST, 'kubernetes', 'kubernetes.default'],
    ips: ['127.0.0.1'],
  });
  good = await Promise.all(
    [0, 1, 2, 3].map(async () =>
      servers.add(await startTlsServer({ cert: serving.certPem, key: serving.keyPem })),
    ),
  );
  const acmCa = await createCa('Amazon RSA 2048 M02');
  const acmCert = await issueServerCert(acmCa, { dns: [`*.${CLUSTER}`, HOST] });
  acmCertPems = { cert: acmCert.certPem, key: acmCert.keyPem, chain: acmCa.certPem };
  acmLike = servers.add(await startTlsServer({ cert: acmCert.certPem, key: acmCert.keyPem }));
  hung = servers.add(await startSilentServer());
  guard = await startLoopbackGuard();
});
afterAll(async () => {
  await servers.closeAll();
  await guard?.close();
});
beforeEach(async () => {
  await moto().reset();
  clients = createAwsClients();
  world = await buildWorld(clients, {
    clusterConfig: { ca: { source: 'inline', pem: kopsCa.certPem }, tls: { timeoutSeconds: 1 } },
  });
});

/** The private IPs of the registered instances, in group order. */
async function instanceIps(): Promise<{ id: string; ip: string }[]> {
  const ids: string[] = [];
  for (const g of world.groups) ids.push(...(await group(clients, g)).liveInstanceIds);
  const res = await clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const all = (res.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  return ids.map((id) => ({ id, ip: all.find((i) => i.InstanceId === id)?.PrivateIpAddress ?? '' }));
}

async function lbDnsNames(): Promise<string[]> {
  const classic = await clients.elb.send(
    new DescribeLoadBalancersCommand({ LoadBalancerNames: [world.lbs.classicName] }),
  );
  const nlb = await clients.elbv2.send(
    new elbv2.DescribeLoadBalancersCommand({ LoadBalancerArns: [world.lbs.nlbArn] }),
  );
  return [classic.LoadBalancerDescriptions?.[0]?.DNSName ?? '', nlb.LoadBalancers?.[0]?.DNSName ?? ''];
}

/** --connect-to rules: instance IPs to the given backends, load balancer names to `lb`. */
async function rules(
  backends: { port: number }[],
  lb: { port: number } = good[3] as TlsEndpoint,
): Promise<ConnectTo[]> {
  const ips = await instanceIps();
  const out = ips.map((x, i) =>
    parseConnectTo(`${x.ip}:443:127.0.0.1:${backends[i % backends.length]?.port}`),
  );
  // the name nodes dial leads to the load balancer, as the internal DNS record would
  for (const dns of [HOST, ...(await lbDnsNames())])
    out.push(parseConnectTo(`${dns}:443:127.0.0.1:${lb.port}`));
  out.push(guard.rule); // anything unmapped (e.g. a stale node instance's address) stays on loopback
  return out;
}

/** Verifies as the scheduled run does; moto's instances are all just launched, so by default none is new here. */
async function verify(connectTo: ConnectTo[], newInstanceDeadlineMinutes = 0) {
  const out = await verifyClusters(world.config.clusters, {
    clients,
    log: silentLog,
    connectTo,
    newInstanceDeadlineMinutes,
  });
  const verdict = out.verdicts[0];
  if (!verdict) throw new Error('no verdict');
  return {
    verdict,
    drift: verdict.findings.filter(isDrift),
    byCode: (code: string) => verdict.findings.filter((f: Finding) => f.code === code),
  };
}

describe('verifier against moto and real TLS servers', () => {
  it('passes a correct setup: listeners, health checks, health, and TLS to the LB and every instance', async () => {
    const { verdict, drift, byCode } = await verify(await rules(good.slice(0, 3)));
    expect(drift).toEqual([]);
    expect(verdict.inSync).toBe(true);
    expect(byCode('TLS_OK')).toHaveLength(1 + 2 + 3); // the API name, two load balancers, three instances
    expect(byCode('LISTENER_OK')).toHaveLength(2);
    expect(byCode('HEALTH_CHECK_OK')).toHaveLength(2);
  });

  it('catches a listener swapped to SSL with an ACM certificate, naming the certificate and the untrusted issuer', async () => {
    const imported = await new ACMClient({}).send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(acmCertPems.cert),
        PrivateKey: Buffer.from(acmCertPems.key),
        CertificateChain: Buffer.from(acmCertPems.chain),
      }),
    );
    const cert = imported.CertificateArn ?? '';
    await replaceClassicListener(clients, world.lbs.classicName, 443, {
      protocol: 'SSL',
      certificateArn: cert,
    });
    const { byCode } = await verify(await rules(good.slice(0, 3), acmLike));
    const listener = byCode('LISTENER_TERMINATES_TLS');
    expect(listener).toHaveLength(1);
    expect(listener[0]?.actual).toContain(cert);
    const untrusted = byCode('TLS_UNTRUSTED_ISSUER');
    // both load balancer names lead to the ACM-terminating stand-in here; the instances stay trusted
    expect(untrusted.map((f) => f.resource.split('/')[0]).sort()).toEqual(['dns', 'elb', 'targetgroup']);
    expect(untrusted[0]?.actual).toContain('Amazon RSA 2048 M02');
    const presented = untrusted[0]?.details?.certificate as { issuer: string } | undefined;
    expect(presented?.issuer).toContain('Amazon RSA 2048 M02');
  });

  it('catches a changed health check', async () => {
    await clients.elb.send(
      new ConfigureHealthCheckCommand({
        LoadBalancerName: world.lbs.classicName,
        HealthCheck: {
          Target: 'HTTPS:443/healthz',
          Interval: 30,
          Timeout: 5,
          HealthyThreshold: 2,
          UnhealthyThreshold: 2,
        },
      }),
    );
    const { byCode } = await verify(await rules(good.slice(0, 3)));
    const f = byCode('HEALTH_CHECK_MISMATCH');
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain('target HTTPS:443/healthz (expected SSL:443)');
    expect(f[0]?.message).toContain('interval 30 (expected 10)');
  });

  it('catches a detached load balancer and a stale registration, without repairing either', async () => {
    const g = world.groups[0] ?? '';
    await clients.autoscaling.send(
      new DetachLoadBalancersCommand({ AutoScalingGroupName: g, LoadBalancerNames: [world.lbs.classicName] }),
    );
    const [first] = await instanceIps();
    // a stale target: an instance id that is no control-plane instance
    const nodeId = (await group(clients, world.nodeGroup)).liveInstanceIds[0] ?? '';
    await clients.elbv2.send(
      new elbv2.RegisterTargetsCommand({
        TargetGroupArn: world.lbs.targetGroupArn,
        Targets: [{ Id: nodeId }],
      }),
    );
    const { byCode } = await verify(await rules(good.slice(0, 3)));
    expect(byCode('LB_NOT_ATTACHED').map((f) => f.resource)).toEqual([`elb/${world.lbs.classicName}:${g}`]);
    expect(byCode('LB_NOT_ATTACHED')[0]?.action).toBe('none');
    expect(byCode('STALE_REGISTRATION').map((f) => f.resource)).toEqual([expect.stringContaining(nodeId)]);
    expect((await group(clients, g)).loadBalancerNames).toEqual([]); // the verifier changes nothing
    expect(first?.id).toMatch(/^i-/);
  });

  it('finds and names the one bad backend among three good ones', async () => {
    const { byCode, drift } = await verify(
      await rules([good[0] as TlsEndpoint, hung, good[1] as TlsEndpoint]),
    );
    const ips = await instanceIps();
    expect(drift.map((f) => `${f.code} ${f.resource}`)).toEqual([`TLS_TIMEOUT ${ips[1]?.id}`]);
    expect(byCode('TLS_OK')).toHaveLength(5);
    expect(
      byCode('NEW_INSTANCE_VERIFIED')
        .map((f) => f.resource)
        .sort(),
    ).toEqual([ips[0]?.id, ips[2]?.id].sort());
  });

  it('does not page for an instance that is still starting: its follow-up owns it until the deadline', async () => {
    // moto's instances launched seconds ago, well inside a 15-minute deadline
    const { byCode, drift } = await verify(
      await rules([good[0] as TlsEndpoint, hung, good[1] as TlsEndpoint]),
      15,
    );
    const ips = await instanceIps();
    expect(drift).toEqual([]);
    expect(byCode('NEW_INSTANCE_WARMING_UP').map((f) => [f.resource, f.actual])).toEqual([
      [ips[1]?.id, 'still starting: TLS_TIMEOUT'],
    ]);
  });

  it('never holds back a node instance registered on the load balancer as warming up', async () => {
    // a node launched seconds ago, well inside the 15-minute deadline, registered on the target group
    const nodeId = (await group(clients, world.nodeGroup)).liveInstanceIds[0] ?? '';
    await clients.elbv2.send(
      new elbv2.RegisterTargetsCommand({
        TargetGroupArn: world.lbs.targetGroupArn,
        Targets: [{ Id: nodeId }],
      }),
    );
    const { verdict, byCode, drift } = await verify(await rules(good.slice(0, 3)), 15);
    expect(byCode('NEW_INSTANCE_WARMING_UP').map((f) => f.resource)).not.toContain(nodeId);
    expect(byCode('STALE_REGISTRATION').map((f) => f.resource)).toEqual([expect.stringContaining(nodeId)]);
    expect(drift.map((f) => f.resource).some((r) => r.includes(nodeId))).toBe(true);
    expect(verdict.inSync).toBe(false);
  });

  it('the CLI gives the same verdict, with --connect-to and exit codes', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ clusters: world.config.clusters }));
    // the load balancers hang; a just-launched instance would be left to its follow-up
    const connect = (await rules(good.slice(0, 3), hung)).map((r) => `--connect-to=${r.spec}`);
    let out = '';
    const io = {
      stdout: {
        write: (t: string) => {
          out += t;
        },
      },
      stderr: { write: () => undefined },
    };
    const code = await main(['verify', '--config', file, '--json', ...connect], io);
    expect(code).toBe(1);
    const parsed = JSON.parse(out) as { verdicts: { findings: Finding[] }[] };
    const drift = parsed.verdicts[0]?.findings.filter(isDrift) ?? [];
    expect(drift.map((f) => `${f.code} ${f.resource.split('/')[0]}`).sort()).toEqual([
      'TLS_TIMEOUT dns',
      'TLS_TIMEOUT elb',
      'TLS_TIMEOUT targetgroup',
    ]);
    out = '';
    expect(await main(['verify', '--config', file, '--connect-to', 'nonsense'], io)).toBe(2);
    expect(await main(['reconcile', '--config', file], io)).toBe(0);
    expect(out).toContain(`cluster ${CLUSTER}: IN SYNC`);
  });
});

describe('verifier with the state-store CA: what each node group trusts', () => {
  const BUCKET = 'kops-state-verifier';
  /** A fresh world whose CA is the state store holding these node groups' nodeup configs. */
  async function nodeGroups(trusts: Record<string, TestCa[]>): Promise<void> {
    await moto().reset();
    clients = createAwsClients();
    await createStateStoreBucket(clients.s3, BUCKET);
    await putNodeGroupTrust(clients.s3, { bucket: BUCKET, prefix: 'kops', cluster: CLUSTER }, trusts);
    world = await buildWorld(clients, {
      clusterConfig: {
        ca: { source: 'state-store', stateStore: `s3://${BUCKET}/kops` },
        tls: { timeoutSeconds: 1 },
      },
    });
  }

  it('passes when every node group trusts the serving CA, and names the groups it loaded', async () => {
    const next = await createCa('kubernetes-ca-next');
    await nodeGroups({ 'nodes-a': [kopsCa, next], 'nodes-b': [kopsCa] });
    const { drift, byCode } = await verify(await rules(good.slice(0, 3)));
    expect(drift).toEqual([]);
    expect(byCode('TLS_OK')).toHaveLength(6);
    expect(byCode('CA_LOADED')[0]?.actual).toBe(
      `2 certificate(s) from s3://${BUCKET}/kops/${CLUSTER}/igconfig/node/ in 2 node group(s) (nodes-a: 2, nodes-b: 1)`,
    );
  });

  it('a node group that would reject the served chain is drift on every probe, naming that group', async () => {
    const stale = await createCa('kubernetes-ca-old');
    await nodeGroups({ 'nodes-a': [kopsCa], 'nodes-b': [stale] });
    const { drift, verdict } = await verify(await rules(good.slice(0, 3)));
    expect(verdict.inSync).toBe(false);
    expect(drift.map((f) => f.code)).toEqual(Array(6).fill('TLS_UNTRUSTED_ISSUER'));
    for (const f of drift) {
      expect(f.actual).toMatch(/^node group nodes-b would reject it: .*\(accepted by nodes-a/);
      expect(f.details).toMatchObject({ nodeGroups: { acceptedBy: ['nodes-a'] } });
    }
  });
});
