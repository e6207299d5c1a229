import { randomUUID } from 'node:crypto';
import {
  DescribeAutoScalingGroupsCommand,
  DetachLoadBalancersCommand,
  DetachLoadBalancerTargetGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Context } from 'aws-lambda';
import type { AwsClients } from '../functions/core/aws/clients.ts';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { createHandler, type RegistrarResult } from '../functions/registrar/handler.ts';
import { autoScalingEvent } from '../sandbox/events.ts';
import { createLocalAlerting } from '../sandbox/local-alerting.ts';
import { buildWorld } from '../sandbox/world.ts';
import { counted, mutating } from './calls.ts';
import type { Lab } from './lab.ts';
import { atMost, failWith, info, type Row } from './table.ts';

/**
 * AWS API calls the real registrar handler makes per Auto Scaling launch event, in a kops-shaped
 * account (sandbox/world.ts: three control-plane groups, a classic ELB and an NLB target group):
 * in steady state, when repairing, and on the next event after a repair.
 */
const AREA = 'registrar';
const STEADY_MAX = 3;

function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'registrar',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:registrar',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/registrar',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type Invoke = (event: unknown) => Promise<RegistrarResult>;

export function registrar(config: SentinelConfig, clients: AwsClients, env: NodeJS.ProcessEnv): Invoke {
  const handler = createHandler(() => ({ config, clients }), env);
  return (event) => handler(event, lambdaContext());
}

export async function describeGroup(clients: AwsClients, name: string) {
  const res = await clients.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
  );
  const g = res.AutoScalingGroups?.[0];
  const instanceId = g?.Instances?.find((i) => i.LifecycleState === 'InService')?.InstanceId;
  if (!g || !instanceId) throw new Error(`${name} has no InService instance`);
  return { instanceId, loadBalancers: g.LoadBalancerNames ?? [], targetGroups: g.TargetGroupARNs ?? [] };
}

async function targetIds(clients: AwsClients, arn: string): Promise<string[]> {
  const res = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (res.TargetHealthDescriptions ?? []).map((t) => t.Target?.Id ?? '');
}

export const launch = (group: string, instanceId: string) =>
  autoScalingEvent('EC2 Instance Launch Successful', group, instanceId);

export const isInSync = (r: RegistrarResult) => r.status === 'done' && r.inSync === true;

/** A steady-state row: at most 3 calls, nothing changed, the verdict in sync. */
function steadyRow(measure: string, run: Awaited<ReturnType<typeof counted<RegistrarResult>>>): Row {
  let row: Row = { ...atMost(AREA, measure, run.total, STEADY_MAX), calls: run.calls };
  if (!isInSync(run.result)) row = failWith(row, `verdict ${JSON.stringify(run.result)}`);
  const changed = mutating(run.calls);
  if (changed.length) row = failWith(row, `changed something: ${changed.join(', ')}`);
  return row;
}

/** A repair row: its figure is the call count; it passes when the handler repaired and ended in sync. */
function repairRow(
  measure: string,
  run: Awaited<ReturnType<typeof counted<RegistrarResult>>>,
  repaired: boolean,
): Row {
  const row: Row = {
    area: AREA,
    measure,
    value: String(run.total),
    target: 'repaired, in sync',
    verdict: 'pass',
    figure: run.total,
    calls: run.calls,
  };
  if (!repaired) return failWith(row, 'the local AWS does not show the repair');
  return isInSync(run.result) ? row : failWith(row, `verdict ${JSON.stringify(run.result)}`);
}

/**
 * The same steady launch event with the environment the stack sets (alert table, topic, follow-up
 * queue): the handler then also queues the new instance's follow-up verification and reads the
 * cluster's alert state. Only the registrar's own calls are held to the steady-state bound.
 */
async function asDeployed(lab: Lab, config: SentinelConfig, group: string): Promise<Row> {
  const infra = await createLocalAlerting(lab.setup, { name: 'bench-registrar-alerts' });
  const deployed = registrar(config, lab.clients, infra.env);
  const { instanceId } = await describeGroup(lab.setup, group);
  const run = await counted(lab.counter, () => deployed(launch(group, instanceId)));
  // the follow-up reads the instance's launch time (one DescribeInstances): not the registrar's own
  const followUpRead = Math.min(1, run.calls['EC2.DescribeInstances'] ?? 0);
  const own =
    Object.entries(run.calls)
      .filter(([op]) => /^(AutoScaling|ELB|ELBv2|EC2)\./.test(op))
      .reduce((n, [, c]) => n + c, 0) - followUpRead;
  let row: Row = {
    ...info(AREA, '… same, as deployed (alerting + follow-ups)', String(run.total), run.total),
    calls: run.calls,
    extra: { registrarCalls: own, otherCalls: run.total - own },
    note: `${own} registrar calls; the rest read the launch time, claim and queue the follow-up verification, and read the alert state`,
  };
  if (!isInSync(run.result)) row = failWith(row, 'not in sync');
  if (own > STEADY_MAX) row = failWith(row, `${own} registrar calls`);
  return row;
}

export async function registrarRows(lab: Lab): Promise<Row[]> {
  const { clients, setup, counter } = lab;
  await lab.moto.reset();
  const world = await buildWorld(setup);
  const invoke = registrar(world.config, clients, {});
  // moto registers only the last group's instances on a shared classic ELB; the sweep settles it
  if (!isInSync(await invoke({ action: 'reconcile' })))
    throw new Error('the settling sweep did not end in sync');
  const rows: Row[] = [];

  // steady state: every group's instance already attached and registered
  const steady = [];
  for (const g of world.groups) {
    const { instanceId } = await describeGroup(setup, g);
    steady.push(await counted(counter, () => invoke(launch(g, instanceId))));
  }
  const worst = steady.reduce((a, b) => (b.total > a.total ? b : a));
  rows.push(steadyRow(`calls per launch event, steady (worst of ${steady.length})`, worst));

  rows.push(await asDeployed(lab, world.config, world.groups[world.groups.length - 1] ?? ''));

  // repair: the instance's target deregistered from the NLB target group
  const [g0 = '', g1 = ''] = world.groups;
  const tg = world.lbs.targetGroupArn;
  const first = await describeGroup(setup, g0);
  await setup.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: first.instanceId }] }),
  );
  const reRegister = await counted(counter, () => invoke(launch(g0, first.instanceId)));
  const registered = (await targetIds(setup, tg)).includes(first.instanceId);
  rows.push(repairRow('calls per launch event, target deregistered', reRegister, registered));
  rows.push(
    steadyRow(
      'calls on the next event after that repair',
      await counted(counter, () => invoke(launch(g0, first.instanceId))),
    ),
  );

  // repair: both load balancers detached from the group (what `kops update cluster` does)
  const second = await describeGroup(setup, g1);
  await setup.autoscaling.send(
    new DetachLoadBalancersCommand({ AutoScalingGroupName: g1, LoadBalancerNames: [world.lbs.classicName] }),
  );
  await setup.autoscaling.send(
    new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: g1, TargetGroupARNs: [tg] }),
  );
  const reAttach = await counted(counter, () => invoke(launch(g1, second.instanceId)));
  const after = await describeGroup(setup, g1);
  const attached = after.loadBalancers.includes(world.lbs.classicName) && after.targetGroups.includes(tg);
  rows.push(repairRow('calls per launch event, LB + TG detached', reAttach, attached));
  rows.push(
    steadyRow(
      'calls on the next event after that repair',
      await counted(counter, () => invoke(launch(g1, second.instanceId))),
    ),
  );

  return rows;
}
