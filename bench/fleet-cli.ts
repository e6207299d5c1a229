import { performance } from 'node:perf_hooks';
import { verifyFleet } from '../bin/cli/verify.ts';
import { CallCounter } from '../functions/core/aws/call-counter.ts';
import { parseConfig } from '../functions/core/config/load.ts';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { silentLog } from '../functions/core/log.ts';
import { clusterIn, forgetNetworks, MOTO_ACCOUNT } from '../sandbox/cli-fleet.ts';
import { createCa } from '../sandbox/pki.ts';
import { snapshot, total } from './calls.ts';
import type { Lab } from './lab.ts';
import { startStandIn } from './stand-in.ts';
import { median } from './stats.ts';
import { atMost, failWith, fmt, info, type Row } from './table.ts';
import { apiHostname } from './world.ts';

/**
 * The CLI's `verify` over a fleet: 20 clusters in 4 accounts × 2 regions of one moto (three
 * accounts reached through a cliRoleArn, one with the default chain), every TLS probe sent to one
 * stand-in with a little latency. Wall time with the default --concurrency (4) against one at a
 * time, and AWS calls per cluster (STS included) for 2, 8 and 20 clusters of the same fleet.
 */
const AREA = 'verify (CLI fleet)';
const ACCOUNTS = ['111111111111', '222222222222', '333333333333', MOTO_ACCOUNT];
const REGIONS = ['eu-west-1', 'us-east-1'];
const PLACES = ACCOUNTS.flatMap((account) => REGIONS.map((region) => ({ account, region })));
const CLUSTERS = 20;
const SIZES = [2, 8, CLUSTERS];
const CONCURRENCY = 4;
/** Latency the stand-in adds to every TLS connection, as a load balancer in another region would. */
const LATENCY_MS = 100;
const ROUNDS = 2;
/**
 * The local AWS answers one request at a time (sandbox/moto.ts), so only the clusters' TLS phases
 * overlap here and the ratio stays far above 1/4; AWS itself answers in parallel.
 */
const MAX_RATIO = 0.8;

const fleetName = (i: number) => `f${i}.fleet.example.com`;

async function buildFleet(caPem: string): Promise<SentinelConfig> {
  forgetNetworks();
  const clusters = [];
  for (let i = 0; i < CLUSTERS; i++) {
    // round robin over the places: 2 clusters sit in 2 places, 8 in all 8, 20 two or three a place
    const { account, region } = PLACES[i % PLACES.length] as (typeof PLACES)[number];
    const c = await clusterIn(account, region, fleetName(i), { caPem });
    clusters.push(
      account === MOTO_ACCOUNT
        ? c
        : { ...c, cliRoleArn: `arn:aws:iam::${account}:role/kops-api-sentinel-cli` },
    );
  }
  return parseConfig({ clusters }, 'bench fleet');
}

async function verifyRun(
  config: SentinelConfig,
  clusters: number,
  concurrency: number,
  connectTo: Parameters<typeof verifyFleet>[2]['connectTo'],
) {
  const counter = new CallCounter();
  const t0 = performance.now();
  const verdicts = await verifyFleet(config, config.clusters.slice(0, clusters), {
    concurrency,
    counter,
    log: silentLog,
    ...(connectTo ? { connectTo } : {}),
  });
  const ms = performance.now() - t0;
  const calls = snapshot(counter);
  return { ms, calls, total: total(calls), inSync: verdicts.filter((v) => v.inSync).length, verdicts };
}

export async function fleetCliRows(lab: Lab): Promise<Row[]> {
  const ca = await createCa('kubernetes-ca');
  const standIn = await startStandIn(
    ca,
    Array.from({ length: CLUSTERS }, (_, i) => apiHostname(fleetName(i))),
    LATENCY_MS,
  );
  try {
    await lab.moto.reset();
    const config = await buildFleet(ca.certPem);
    // warm up (moto's first calls per account and region, connections)
    await verifyRun(config, CLUSTERS, CLUSTERS, standIn.connectTo);
    const sequential: number[] = [];
    const concurrent: number[] = [];
    const notInSync: string[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const [width, times] of [
        [1, sequential],
        [CONCURRENCY, concurrent],
      ] as const) {
        const run = await verifyRun(config, CLUSTERS, width, standIn.connectTo);
        times.push(run.ms);
        if (run.inSync !== CLUSTERS)
          notInSync.push(
            `${CLUSTERS - run.inSync} not in sync at --concurrency ${width} (${
              run.verdicts
                .find((v) => !v.inSync)
                ?.findings.find((f) => f.severity === 'critical' || f.severity === 'warning')?.code
            })`,
          );
      }
    }
    const ratio = median(concurrent) / median(sequential);
    let wall: Row = {
      ...atMost(
        AREA,
        `wall time, ${CLUSTERS} clusters: --concurrency ${CONCURRENCY} vs 1 (ratio)`,
        ratio,
        MAX_RATIO,
      ),
      value: `${fmt(ratio)} (${Math.round(median(concurrent))} vs ${Math.round(median(sequential))} ms)`,
      extra: { concurrentMs: median(concurrent), sequentialMs: median(sequential) },
      note: 'moto answers one request at a time: the AWS calls do not overlap here, the TLS probes do',
    };
    if (notInSync.length) wall = failWith(wall, notInSync[0] ?? '');
    const bySize = [];
    for (const n of SIZES)
      bySize.push({ n, ...(await verifyRun(config, n, CONCURRENCY, standIn.connectTo)) });
    const [first] = bySize;
    const base = first ? first.total / first.n : 0;
    const rows: Row[] = [wall];
    for (const s of bySize) {
      const perCluster = s.total / s.n;
      const places = new Set(config.clusters.slice(0, s.n).map((c) => `${c.account}/${c.region}`)).size;
      let row: Row =
        s === first
          ? info(
              AREA,
              `AWS calls per cluster, ${s.n} clusters in ${places} account-regions`,
              fmt(perCluster),
              perCluster,
            )
          : {
              ...atMost(
                AREA,
                `AWS calls per cluster, ${s.n} clusters in ${places} account-regions`,
                perCluster,
                base,
              ),
              target: `≤ ${fmt(base)} (${first?.n} clusters)`,
            };
      row = { ...row, calls: s.calls };
      if (s.inSync !== s.n) row = failWith(row, `${s.n - s.inSync}/${s.n} clusters not in sync`);
      rows.push(row);
    }
    return rows;
  } finally {
    await standIn.close();
  }
}
