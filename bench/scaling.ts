import { createCa } from '../sandbox/pki.ts';
import type { Lab } from './lab.ts';
import { startStandIn } from './stand-in.ts';
import { reconcileSweep, type Sweep, verifySweep } from './sweep.ts';
import { atMost, failWith, fmt, info, type Row } from './table.ts';
import { apiHostname, buildBenchWorld, clusterName, scaleControlPlane } from './world.ts';

/**
 * How the CLI's sweeps (reconcile, verify) scale: API calls for 1 and for 10 clusters, and for
 * 10 clusters with fewer groups or more instances, which must not change the count.
 */
const CLUSTERS = 10;
const RECONCILE = 'reconcile (CLI)';
const VERIFY = 'verifier';

/** A sweep's figure is only meaningful when it found every cluster in sync and changed nothing. */
function checked(row: Row, sweep: Sweep): Row {
  let out = row;
  if (sweep.inSync !== sweep.clusters)
    out = failWith(out, `${sweep.inSync}/${sweep.clusters} clusters in sync`);
  if (sweep.mutating.length) out = failWith(out, `changed something: ${sweep.mutating.join(', ')}`);
  return out;
}

function withCalls(row: Row, sweep: Sweep): Row {
  return checked({ ...row, calls: sweep.calls }, sweep);
}

/** Two sweeps that must cost the same number of calls. */
function same(area: string, measure: string, a: Sweep, b: Sweep, perCluster = false): Row {
  const fa = perCluster ? a.total / a.clusters : a.total;
  const fb = perCluster ? b.total / b.clusters : b.total;
  const row: Row = {
    area,
    measure,
    value: `${fmt(fa)} vs ${fmt(fb)}`,
    target: 'equal',
    verdict: fa === fb ? 'pass' : 'FAIL',
    figure: fb / fa,
    extra: { first: fa, second: fb },
  };
  return checked(checked(row, a), b);
}

export async function scalingRows(lab: Lab): Promise<Row[]> {
  const ca = await createCa('kubernetes-ca');
  const names = Array.from({ length: CLUSTERS }, (_, i) => clusterName(i));
  const standIn = await startStandIn(ca, names.map(apiHostname));
  try {
    const build = async (clusters: number, groupsPerCluster: number) => {
      await lab.moto.reset();
      return buildBenchWorld(lab.setup, { clusters, groupsPerCluster, caPem: ca.certPem });
    };
    const one = await build(1, 3);
    const r1 = await reconcileSweep(lab, one);
    const v1 = await verifySweep(lab, one, standIn.connectTo);

    const ten = await build(CLUSTERS, 3);
    const r10 = await reconcileSweep(lab, ten);
    const v10 = await verifySweep(lab, ten, standIn.connectTo);
    await scaleControlPlane(lab.setup, ten, 2);
    const r10x2 = await reconcileSweep(lab, ten);
    const v10x2 = await verifySweep(lab, ten, standIn.connectTo);

    const tenSmall = await build(CLUSTERS, 1);
    const r10g1 = await reconcileSweep(lab, tenSmall);

    const tenClusters: Row = {
      ...atMost(
        RECONCILE,
        `${CLUSTERS} clusters (3 groups, 3 instances each)`,
        r10.total,
        CLUSTERS * r1.total,
      ),
      target: `≤ ${CLUSTERS * r1.total} (${CLUSTERS} × 1 cluster)`,
      extra: { perAddedCluster: (r10.total - r1.total) / (CLUSTERS - 1) },
    };
    const perCluster: Row = {
      ...atMost(VERIFY, `calls per cluster, ${CLUSTERS} clusters`, v10.total / CLUSTERS, v1.total),
      target: `≤ ${v1.total} (1 cluster)`,
    };
    return [
      withCalls(info(RECONCILE, '1 cluster (3 groups, 3 instances)', String(r1.total), r1.total), r1),
      withCalls(tenClusters, r10),
      same(RECONCILE, `${CLUSTERS} clusters: 1 vs 3 groups each`, r10g1, r10),
      same(RECONCILE, `${CLUSTERS} clusters: 3 vs 6 instances each`, r10, r10x2),
      withCalls(info(VERIFY, 'calls per cluster, 1 cluster', String(v1.total), v1.total), v1),
      checked(perCluster, v10),
      same(VERIFY, `calls per cluster, ${CLUSTERS} clusters: 3 vs 6 instances`, v10, v10x2, true),
    ];
  } finally {
    await standIn.close();
  }
}
