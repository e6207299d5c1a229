import { performance } from 'node:perf_hooks';
import { DeregisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { MachineAlert } from '../functions/core/alerts/messages.ts';
import { publishRun } from '../functions/core/alerts/publish.ts';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { verdictOf } from '../functions/core/findings/finding.ts';
import { finding } from '../functions/core/findings/make.ts';
import { createLocalAlerting, drain } from '../sandbox/local-alerting.ts';
import { buildWorld } from '../sandbox/world.ts';
import { snapshot, total } from './calls.ts';
import type { Lab } from './lab.ts';
import { describeGroup, isInSync, launch, registrar } from './registrar.ts';
import { exactly, failWith, info, type Row } from './table.ts';

/**
 * The event path, in moto, as deployed (alert table, topic, follow-up queue): a control-plane
 * instance launches but is not registered, in report-only mode (what a failed repair also leaves).
 * The registrar's run on the launch event is the first sighting; the next scheduled sweep, the
 * second registrar run in a row, publishes the alert (alerts.fireAfterFailures = 2 by default).
 * Counted: runs and AWS calls from the event to the published alert, and the wall time of that
 * path over the wall time of one steady launch event (a ratio, so it holds on a slow machine).
 */
const AREA = 'event-path';

const reportOnly = (config: SentinelConfig): SentinelConfig => ({
  ...config,
  clusters: config.clusters.map((c) => ({ ...c, mode: 'report-only' as const })),
});

export async function eventPathRows(lab: Lab): Promise<Row[]> {
  const { setup, counter } = lab;
  await lab.moto.reset();
  const world = await buildWorld(setup);
  // a repair-mode sweep settles moto's shared-ELB quirk: afterwards the only drift is the one made below
  if (!isInSync(await registrar(world.config, setup, {})({ action: 'reconcile' })))
    throw new Error('the settling sweep did not end in sync');
  const config = reportOnly(world.config);
  const infra = await createLocalAlerting(setup, { name: 'bench-event-path' });
  const invoke = registrar(config, lab.clients, infra.env);
  const alerts = async () =>
    (await drain(setup, infra.alertQueueUrl, async () => undefined)).map(
      (b) => JSON.parse(b) as MachineAlert,
    );

  // the yardstick: one steady launch event, as deployed
  const [g0 = '', g1 = ''] = world.groups;
  const steadyGroup = await describeGroup(setup, g1);
  let t = performance.now();
  await invoke(launch(g1, steadyGroup.instanceId));
  const steadyMs = performance.now() - t;
  await drain(setup, infra.followUpQueueUrl, async () => undefined);

  // the drift: the new instance is missing from the NLB target group
  const { instanceId } = await describeGroup(setup, g0);
  await setup.elbv2.send(
    new DeregisterTargetsCommand({ TargetGroupArn: world.lbs.targetGroupArn, Targets: [{ Id: instanceId }] }),
  );
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['launch event', () => invoke(launch(g0, instanceId))],
    ['scheduled sweep', () => invoke({ action: 'reconcile' })],
    ['scheduled sweep', () => invoke({ action: 'reconcile' })],
  ];
  counter.reset();
  let pathMs = 0;
  let runs = 0;
  let published: MachineAlert[] = [];
  for (const [, step] of steps) {
    t = performance.now();
    await step();
    pathMs += performance.now() - t;
    runs += 1;
    published = await alerts();
    if (published.length > 0) break;
  }
  const calls = snapshot(counter);
  const fires = published.filter((a) => a.kind === 'fire' && a.resource.includes(instanceId));

  let runsRow = exactly(
    AREA,
    'registrar runs from a launch event to its alert (instance not registered)',
    runs,
    config.alerts.fireAfterFailures,
  );
  if (fires.length !== 1) runsRow = failWith(runsRow, `alerts published: ${JSON.stringify(published)}`);
  const ratio = steadyMs > 0 ? Math.round((pathMs / steadyMs) * 10) / 10 : 0;

  // a one-time finding (the follow-up deadline passed) pages on its first run
  const once = await publishRun(
    {
      source: 'verifier',
      verdicts: [
        verdictOf(config.clusters[0]?.name ?? '', [
          finding('NEW_INSTANCE_NOT_VERIFIED', {
            cluster: config.clusters[0]?.name ?? '',
            resource: instanceId,
            expected: 'registered, healthy, serving a certificate from the kops CA',
            actual: `not registered on ${world.lbs.targetGroupArn.split(':').pop()}`,
            message: `${instanceId} did not pass verification before its deadline`,
          }),
        ]),
      ],
    },
    { clients: lab.clients, tableName: infra.tableName, topicArn: infra.topicArn, config: config.alerts },
  );

  return [
    runsRow,
    {
      ...info(
        AREA,
        '… AWS calls from the launch event to the alert published',
        String(total(calls)),
        total(calls),
      ),
      calls,
    },
    {
      ...info(AREA, '… wall time of that path ÷ one steady launch event', `${ratio}×`, ratio),
      extra: { pathMs: Math.round(pathMs), steadyEventMs: Math.round(steadyMs) },
      note: 'in AWS the second run is the next sweep: the alert follows the event within one schedule period',
    },
    exactly(
      AREA,
      'alerts after one run of a one-time finding (follow-up deadline passed)',
      once.notifications.length,
      1,
    ),
  ];
}
