import { DeregisterTargetsCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { CallCounter } from '../../functions/core/aws/clients.ts';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import type { Finding } from '../../functions/core/findings/finding.ts';
import { silentLog } from '../../functions/core/log.ts';
import { handleRegistrarEvent } from '../../functions/core/registrar/registrar.ts';
import { verifyClusters } from '../../functions/core/verify/verify.ts';
import { createHandler } from '../../functions/registrar/handler.ts';
import { autoScalingEvent } from '../../sandbox/events.ts';
import { startLoopbackGuard } from '../../sandbox/loopback-guard.ts';
import { createCa } from '../../sandbox/pki.ts';
import { buildWorld, CLUSTER, type World } from '../../sandbox/world.ts';
import { classicInstances, group, targets } from '../support/aws-state.ts';
import { attach, createApiServerGroup, targetPorts } from '../support/backends.ts';
import { withMoto } from '../support/moto-hooks.ts';

let world: World;
const counter = new CallCounter();
let clients = createAwsClients();

const sweep = async (config: SentinelConfig = world.config): Promise<Finding[]> =>
  (await handleRegistrarEvent({ kind: 'reconcile', cluster: CLUSTER }, { config, clients, log: silentLog }))
    .verdicts[0]?.findings ?? [];
const codes = (findings: Finding[], code: string) =>
  findings.filter((f) => f.code === code).map((f) => `${f.action} ${f.resource}`);
const mutations = () =>
  [...counter.calls.keys()].filter((k) => /Register|Deregister|Attach|Detach/.test(k)).sort();
const invoke = (event: unknown) =>
  createHandler(() => ({ config: world.config, clients }))(event, {
    awsRequestId: 'test',
    functionName: 'registrar',
  } as never);

const moto = withMoto();
beforeEach(async () => {
  await moto().reset();
  clients = createAwsClients({ counter });
  world = await buildWorld(clients);
  await sweep();
  counter.reset();
});

const tgLabel = () => `targetgroup/k8s-api-internal-tcp/${world.lbs.targetGroupArn.split('/').pop()}`;

describe('other groups on a configured load balancer', () => {
  it('never deregisters a node group that is attached to the load balancers; reports it once per load balancer, naming the group', async () => {
    await attach(clients, world.nodeGroup, {
      classic: [world.lbs.classicName],
      targetGroupArns: [world.lbs.targetGroupArn],
    });
    const nodes = (await group(clients, world.nodeGroup)).liveInstanceIds.sort();
    expect(nodes).toHaveLength(2);
    expect(await targets(clients, world.lbs.targetGroupArn)).toEqual(expect.arrayContaining(nodes));
    // first sweep: moto's classic ELB holds only the last attached group's instances; the sweep
    // registers the control plane again (what AWS would have kept)
    await sweep();
    counter.reset();
    for (let run = 0; run < 3; run++) {
      const findings = await sweep();
      expect(codes(findings, 'LB_SHARED_WITH_OTHER_GROUP')).toEqual([
        `skipped elb/${world.lbs.classicName}:${world.nodeGroup}`,
        `skipped ${tgLabel()}:${world.nodeGroup}`,
      ]);
      const shared = findings.find((f) => f.code === 'LB_SHARED_WITH_OTHER_GROUP');
      expect(shared?.message).toContain(world.nodeGroup);
      expect(shared?.details?.instanceIds).toEqual(expect.arrayContaining(nodes));
      expect(codes(findings, 'STALE_REGISTRATION')).toEqual([]);
    }
    // no flapping: three sweeps changed nothing
    expect(mutations()).toEqual([]);
    expect(await targets(clients, world.lbs.targetGroupArn)).toEqual(expect.arrayContaining(nodes));
    expect(await classicInstances(clients, world.lbs.classicName)).toEqual(expect.arrayContaining(nodes));
  });

  it('the verifier judges neither health nor TLS of the other group: one configuration finding, no per-node alerts', async () => {
    await attach(clients, world.nodeGroup, {
      classic: [world.lbs.classicName],
      targetGroupArns: [world.lbs.targetGroupArn],
    });
    await sweep();
    const nodes = (await group(clients, world.nodeGroup)).liveInstanceIds;
    const ca = await createCa('kops-ca');
    const guard = await startLoopbackGuard();
    try {
      const config = {
        ...world.config,
        clusters: world.config.clusters.map((c) => ({
          ...c,
          ca: { source: 'inline' as const, pem: ca.certPem },
          tls: { ...c.tls, timeoutSeconds: 1 },
        })),
      };
      const out = await verifyClusters(config.clusters, {
        clients,
        log: silentLog,
        connectTo: [guard.rule],
        newInstanceDeadlineMinutes: 0,
      });
      const findings = out.verdicts[0]?.findings ?? [];
      expect(codes(findings, 'LB_SHARED_WITH_OTHER_GROUP')).toHaveLength(2);
      const aboutNodes = findings.filter(
        (f) => f.code !== 'LB_SHARED_WITH_OTHER_GROUP' && nodes.some((id) => f.resource.includes(id)),
      );
      expect(aboutNodes.map((f) => `${f.code} ${f.resource}`)).toEqual([]);
      // the control plane is still judged: health and TLS findings on its instances
      const controlPlane = (await group(clients, world.groups[0] ?? '')).liveInstanceIds[0] ?? '';
      expect(findings.some((f) => f.check === 'tls' && f.resource === controlPlane)).toBe(true);
      expect(findings.some((f) => f.check === 'instance-health' && f.resource.endsWith(controlPlane))).toBe(
        true,
      );
    } finally {
      await guard.close();
    }
  });

  it('still prunes another group instance registered by hand, without that group being attached', async () => {
    const [node] = (await group(clients, world.nodeGroup)).liveInstanceIds;
    await clients.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: node ?? '' }] }),
    );
    const findings = await sweep();
    expect(codes(findings, 'STALE_REGISTRATION')).toEqual([`repaired ${tgLabel()}:${node}`]);
    expect(codes(findings, 'LB_SHARED_WITH_OTHER_GROUP')).toEqual([]);
    expect(await targets(clients, world.lbs.targetGroupArn)).not.toContain(node);
  });
});

describe('kops API-server node groups', () => {
  it('are API backends: discovered, attached, registered, kept, and their events handled', async () => {
    // as kops leaves them: on its API target group (here the configured one)
    const g = await createApiServerGroup(clients, {
      cluster: CLUSTER,
      like: world.groups[0] ?? '',
      attach: { targetGroupArns: [world.lbs.targetGroupArn] },
    });
    const [id] = (await group(clients, g)).liveInstanceIds;
    expect(id).toMatch(/^i-/);
    const findings = await sweep();
    expect(codes(findings, 'STALE_REGISTRATION')).toEqual([]);
    expect(codes(findings, 'LB_SHARED_WITH_OTHER_GROUP')).toEqual([]);
    expect(codes(findings, 'LB_NOT_ATTACHED')).toEqual([`repaired elb/${world.lbs.classicName}:${g}`]);
    expect(findings.find((f) => f.code === 'CONTROL_PLANE_GROUPS_FOUND')?.actual).toContain(g);
    expect(await targets(clients, world.lbs.targetGroupArn)).toContain(id);
    expect(await classicInstances(clients, world.lbs.classicName)).toContain(id);
    // its launch event is routed and handled, not ignored
    counter.reset();
    const res = await invoke(autoScalingEvent('EC2 Instance Launch Successful', g, id ?? ''));
    expect(res).toMatchObject({ status: 'done', inSync: true });
    expect(mutations()).toEqual([]);
  });
});

describe('registrations count on the apiserver port only', () => {
  async function moveToPort(id: string, port: number) {
    await clients.elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: world.lbs.targetGroupArn,
        Targets: [{ Id: id, Port: 443 }],
      }),
    );
    await clients.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: world.lbs.targetGroupArn,
        Targets: [{ Id: id, Port: port }],
      }),
    );
  }

  it('reports a target on another port, and in repair mode registers the right port before removing the wrong one', async () => {
    const [id] = (await group(clients, world.groups[0] ?? '')).liveInstanceIds;
    await moveToPort(id ?? '', 8443);
    expect(await targetPorts(clients, world.lbs.targetGroupArn)).toContain(`${id}:8443`);
    const reportOnly = {
      ...world.config,
      clusters: world.config.clusters.map((c) => ({ ...c, mode: 'report-only' as const })),
    };
    counter.reset();
    const seen = await sweep(reportOnly);
    expect(codes(seen, 'TARGET_WRONG_PORT')).toEqual([`would-repair ${tgLabel()}:${id}`]);
    expect(codes(seen, 'INSTANCE_REGISTERED')).not.toContain(`none ${tgLabel()}:${id}`);
    expect(mutations()).toEqual([]);
    const fixed = await sweep();
    expect(codes(fixed, 'TARGET_WRONG_PORT')).toEqual([`repaired ${tgLabel()}:${id}`]);
    const after = await targetPorts(clients, world.lbs.targetGroupArn);
    expect(after).toContain(`${id}:443`);
    expect(after).not.toContain(`${id}:8443`);
    expect(codes(await sweep(), 'TARGET_WRONG_PORT')).toEqual([]);
  });

  it('registers on api.instancePort, not the target group default port', async () => {
    const [id] = (await group(clients, world.groups[1] ?? '')).liveInstanceIds;
    const config = {
      ...world.config,
      clusters: world.config.clusters.map((c) => ({ ...c, api: { ...c.api, instancePort: 6443 } })),
    };
    const findings = await sweep(config);
    expect(codes(findings, 'TARGET_WRONG_PORT')).toContain(`repaired ${tgLabel()}:${id}`);
    const after = await targetPorts(clients, world.lbs.targetGroupArn);
    expect(after).toContain(`${id}:6443`);
    expect(after.filter((t) => t.endsWith(':443'))).toEqual([]);
  });
});
