import { DeregisterInstancesFromLoadBalancerCommand } from '@aws-sdk/client-elastic-load-balancing';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/core/aws/all-clients.ts';
import { CallCounter } from '../../functions/core/aws/clients.ts';
import { stackOrigin } from '../../functions/core/events/limits.ts';
import { parseRegistrarEvent } from '../../functions/core/events/registrar-event.ts';
import type { Finding } from '../../functions/core/findings/finding.ts';
import { silentLog } from '../../functions/core/log.ts';
import { handleRegistrarEvent } from '../../functions/core/registrar/registrar.ts';
import { autoScalingEvent } from '../../sandbox/events.ts';
import { buildWorld, type World } from '../../sandbox/world.ts';
import { classicInstances, group, targets } from '../support/aws-state.ts';
import { withMoto } from '../support/moto-hooks.ts';

/**
 * The sentinel's launch hook is completed with CONTINUE only once the instance is registered on
 * every configured load balancer. moto does not implement CompleteLifecycleAction, so whether the
 * registrar asked is read from the calls it made (CallCounter), not from moto's answer.
 */
const moto = withMoto();
const counter = new CallCounter();
const clients = createAwsClients({ counter, maxAttempts: 1 });
let world: World;
let groupName = '';
let instanceId = '';

beforeEach(async () => {
  await moto().reset();
  world = await buildWorld(clients, { controlPlaneGroups: 1 });
  groupName = world.groups[0] ?? '';
  instanceId = (await group(clients, groupName)).liveInstanceIds[0] ?? '';
  // the new instance is on no load balancer yet
  await clients.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: instanceId }] }),
  );
  await clients.elb.send(
    new DeregisterInstancesFromLoadBalancerCommand({
      LoadBalancerName: world.lbs.classicName,
      Instances: [{ InstanceId: instanceId }],
    }),
  );
  counter.reset();
});

async function launchHook(mode: 'repair' | 'report-only'): Promise<Finding[]> {
  const parsed = parseRegistrarEvent(
    autoScalingEvent('EC2 Instance-launch Lifecycle Action', groupName, instanceId),
    stackOrigin(world.config),
  );
  const config = {
    ...world.config,
    clusters: world.config.clusters.map((c) => ({ ...c, mode })),
  };
  const out = await handleRegistrarEvent(parsed, { config, clients, log: silentLog });
  return out.verdicts.flatMap((v) => v.findings);
}

const completions = () => counter.calls.get('AutoScaling.CompleteLifecycleAction') ?? 0;

describe('the launch lifecycle hook', () => {
  it('report-only: an instance on no load balancer is not let in; the action is withheld', async () => {
    const findings = await launchHook('report-only');
    const hook = findings.find((f) => f.check === 'lifecycle');
    expect(hook?.code).toBe('LIFECYCLE_ACTION_WITHHELD');
    expect(hook?.actual).toContain('targetgroup/k8s-api-internal-tcp/');
    expect(completions()).toBe(0);
    expect(await targets(clients, world.lbs.targetGroupArn)).not.toContain(instanceId);
  });

  it('repair: registers the instance everywhere, then asks Auto Scaling to continue', async () => {
    const findings = await launchHook('repair');
    expect(findings.find((f) => f.check === 'lifecycle')?.code).not.toBe('LIFECYCLE_ACTION_WITHHELD');
    expect(completions()).toBe(1);
    expect(await targets(clients, world.lbs.targetGroupArn)).toContain(instanceId);
    expect(await classicInstances(clients, world.lbs.classicName)).toContain(instanceId);
  });

  it('repair: a configured load balancer that does not exist keeps the action withheld', async () => {
    const config = world.config.clusters[0];
    if (!config) throw new Error('no cluster');
    config.loadBalancers = {
      ...config.loadBalancers,
      classic: [...config.loadBalancers.classic, 'gone-elb'],
    };
    const findings = await launchHook('repair');
    const hook = findings.find((f) => f.check === 'lifecycle');
    expect(hook?.code).toBe('LIFECYCLE_ACTION_WITHHELD');
    expect(hook?.actual).toContain('elb/gone-elb');
    expect(completions()).toBe(0);
  });
});
