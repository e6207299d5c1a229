import {
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createAwsClients } from '../functions/core/aws/all-clients.ts';
import { AWS_CALL_BUDGET } from '../functions/core/aws/clients.ts';
import { createHandler } from '../functions/registrar/handler.ts';
import { autoScalingEvent } from '../sandbox/events.ts';
import { startFaultProxy } from '../sandbox/fault-proxy.ts';
import { createLocalAlerting } from '../sandbox/local-alerting.ts';
import { buildWorld } from '../sandbox/world.ts';
import type { Lab } from './lab.ts';
import { atMost, info, type Row } from './table.ts';

/**
 * The AWS retry budget under faults: registrar launch events (each with a registration to repair)
 * through a proxy in front of moto that answers 30% of attempts with throttling and 10% with 500s
 * (sandbox/fault-proxy.ts), between clean events before and after. Counts and ratios are judged;
 * times are shown.
 */
const AREA = 'faults';
const FAULTY_EVENTS = 12;
const CLEAN_EVENTS = 3;
/** The registrar's timeout in the stack, and the most standard mode backs off over 3 attempts. */
const REGISTRAR_TIMEOUT_MS = 120_000;
const MAX_BACKOFF_MS_PER_CALL = 1_000 + 2_000;

interface Sample {
  ms: number;
  calls: number;
  attempts: number;
  mostPerCall: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function faultRows(lab: Lab): Promise<Row[]> {
  await lab.moto.reset();
  const world = await buildWorld(lab.setup, { controlPlaneGroups: 1 });
  const alerting = await createLocalAlerting(lab.setup, { name: 'bench-fault-alerts' });
  const tg = world.lbs.targetGroupArn;
  const health = await lab.setup.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
  const instanceId = health.TargetHealthDescriptions?.[0]?.Target?.Id;
  if (!instanceId) throw new Error('the bench world has no registered control-plane instance');
  const proxy = await startFaultProxy(lab.moto.endpoint, { seed: 7 });
  try {
    // one set of clients for every event, as a warm Lambda container keeps them
    const clients = createAwsClients({ endpoint: proxy.endpoint });
    const handler = createHandler(() => ({ config: world.config, clients }), alerting.env);
    const event = () => autoScalingEvent('EC2 Instance Launch Successful', world.groups[0] ?? '', instanceId);
    const sample = async (): Promise<Sample> => {
      const since = proxy.attempts.length;
      const started = performance.now();
      // a throw (alerting gave up) is Lambda's to retry; it still counts as the event's time
      await handler(event(), { awsRequestId: 'bench-faults', functionName: 'registrar' } as never).catch(
        () => undefined,
      );
      const perCall = proxy.attemptsPerCall(since);
      return {
        ms: performance.now() - started,
        calls: perCall.size,
        attempts: proxy.attempts.length - since,
        mostPerCall: Math.max(0, ...perCall.values()),
      };
    };
    await sample(); // warm-up
    const before: Sample[] = [];
    for (let i = 0; i < CLEAN_EVENTS; i++) before.push(await sample());
    const faulty: Sample[] = [];
    const registered = async () =>
      (
        await lab.setup.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))
      ).TargetHealthDescriptions?.some((t) => t.Target?.Id === instanceId);
    for (let i = 0; i < FAULTY_EVENTS; i++) {
      // the previous event may have stopped before repairing (AWS_CALL_FAILED)
      if (await registered())
        await lab.setup.elbv2.send(
          new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: instanceId }] }),
        );
      proxy.faults = { throttle: 0.3, error: 0.1 };
      faulty.push(await sample());
      proxy.faults = { throttle: 0, error: 0 };
    }
    const after: Sample[] = [];
    for (let i = 0; i < CLEAN_EVENTS; i++) after.push(await sample());

    const worst = faulty.reduce((w, s) => (s.ms > w.ms ? s : w));
    const mostCalls = Math.max(...faulty.map((s) => s.calls));
    const cleanBefore = median(before.map((s) => s.ms));
    const cleanAfter = median(after.map((s) => s.ms));
    const ratio = cleanBefore > 0 ? cleanAfter / cleanBefore : 0;
    return [
      atMost(
        AREA,
        'attempts per AWS call, 30% throttling + 10% 500s',
        Math.max(...faulty.map((s) => s.mostPerCall)),
        AWS_CALL_BUDGET.maxAttempts,
      ),
      atMost(
        AREA,
        'worst-case backoff of an event / registrar timeout',
        Math.round(((mostCalls * MAX_BACKOFF_MS_PER_CALL) / REGISTRAR_TIMEOUT_MS) * 100) / 100,
        0.5,
      ),
      atMost(AREA, 'clean event after the faults / before (median time)', Math.round(ratio * 100) / 100, 3),
      info(
        AREA,
        'worst event under faults',
        `${Math.round(worst.ms)} ms (${worst.calls} calls, ${worst.attempts} attempts); clean ${Math.round(cleanBefore)} ms before, ${Math.round(cleanAfter)} ms after`,
        Math.round(worst.ms),
      ),
    ];
  } finally {
    await proxy.close();
  }
}
