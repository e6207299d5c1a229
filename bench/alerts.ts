import { join } from 'node:path';
import { publishRun } from '../functions/core/alerts/publish.ts';
import { loadConfigFile } from '../functions/core/config/load.ts';
import { type Finding, verdictOf } from '../functions/core/findings/finding.ts';
import { finding } from '../functions/core/findings/make.ts';
import { PROJECT_ROOT } from '../lib/bundling/options.ts';
import { createLocalAlerting } from '../sandbox/local-alerting.ts';
import { counted } from './calls.ts';
import type { Lab } from './lab.ts';
import { exactly, info, type Row } from './table.ts';

/**
 * Alert deduplication: the same drift seen by ten consecutive runs (five minutes apart, inside the
 * reminder interval) publishes one alert; two passing runs then publish one resolve.
 */
const AREA = 'alerts';
const DRIFTING_RUNS = 10;
const PASSING_RUNS = 2;
const RUN_EVERY_MS = 5 * 60_000;
const CLUSTER = 'k8s.example.com';
const RESOURCE = `elb/k8s-api-internal:control-plane-eu-west-1a.masters.${CLUSTER}`;

const detached = (): Finding =>
  finding('LB_NOT_ATTACHED', {
    cluster: CLUSTER,
    resource: RESOURCE,
    expected: 'attached',
    actual: 'not attached',
    action: 'repair-failed',
    message: 'elb/k8s-api-internal was not attached: repair failed (AccessDenied)',
  });

const attached = (): Finding =>
  finding('LB_ATTACHED', {
    cluster: CLUSTER,
    resource: RESOURCE,
    expected: 'attached',
    actual: 'attached',
    message: 'elb/k8s-api-internal is attached',
  });

export async function alertRows(lab: Lab): Promise<Row[]> {
  const config = loadConfigFile(join(PROJECT_ROOT, 'config', 'example.yaml'));
  await lab.moto.reset();
  const infra = await createLocalAlerting(lab.setup, { name: 'bench-alerts' });
  const deps = {
    clients: lab.clients,
    tableName: infra.tableName,
    topicArn: infra.topicArn,
    config: config.alerts,
  };
  const start = Date.now();
  const runs: Record<string, number>[] = [];
  const run = async (i: number, f: Finding) => {
    const r = await counted(lab.counter, () =>
      publishRun(
        { source: 'verifier', verdicts: [verdictOf(CLUSTER, [f])], now: new Date(start + i * RUN_EVERY_MS) },
        deps,
      ),
    );
    runs.push(r.calls);
  };
  for (let i = 0; i < DRIFTING_RUNS; i++) await run(i, detached());
  const fired = runs.reduce((n, c) => n + (c['SNS.Publish'] ?? 0), 0);
  for (let i = 0; i < PASSING_RUNS; i++) await run(DRIFTING_RUNS + i, attached());
  const all = runs.reduce((n, c) => n + (c['SNS.Publish'] ?? 0), 0);
  const repeated = runs[DRIFTING_RUNS - 1] ?? {};
  return [
    exactly(AREA, `SNS publishes, same drift in ${DRIFTING_RUNS} runs`, fired, 1),
    exactly(AREA, `… then ${PASSING_RUNS} passing runs (fire + resolve)`, all, 2),
    {
      ...info(
        AREA,
        'AWS calls of a repeated drifting run',
        String(Object.values(repeated).reduce((a, b) => a + b, 0)),
      ),
      calls: repeated,
    },
  ];
}
