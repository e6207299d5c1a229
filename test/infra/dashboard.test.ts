import { beforeAll, describe, expect, it } from 'vitest';
import { LEGACY, PROD, render, SYNTH_TIMEOUT_MS, type Synthesized, sharedSynth } from './helpers.ts';

let stack: Synthesized;
beforeAll(() => {
  stack = sharedSynth('two-clusters');
}, SYNTH_TIMEOUT_MS);

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][] };
}

/** The dashboard's widgets, from its rendered body. */
function widgets(): Widget[] {
  const dashboards = Object.values(stack.template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = JSON.parse(render(dashboards[0]?.Properties.DashboardBody)) as { widgets: Widget[] };
  return body.widgets;
}

/** Metric rows of a widget: [namespace, name, dimension, value, ...] up to the options object. */
const metricRows = (w: Widget) =>
  (w.properties.metrics ?? []).map((row) => row.filter((cell) => typeof cell === 'string'));

describe('dashboard', () => {
  it('has a row per cluster', () => {
    expect(widgets().flatMap((w) => (w.properties.markdown ? [w.properties.markdown] : []))).toEqual([
      `### ${PROD}`,
      `### ${LEGACY}`,
    ]);
  });

  it.each([
    ['Drift and repairs', ['DriftFound', 'Repairs', 'RepairFailures']],
    ['Verifications and TLS handshake latency (ms)', ['Verifications', 'HandshakeLatency']],
    ['Open alerts', ['OpenAlerts', 'AlertsFired', 'AlertsResolved']],
  ])('%s reads the emitted metrics with their dimensions (service, cluster), per cluster', (title, names) => {
    const graphs = widgets().filter((w) => w.properties.title === title);
    expect(graphs).toHaveLength(2);
    for (const [i, cluster] of [PROD, LEGACY].entries()) {
      const rows = metricRows(graphs[i] as Widget);
      expect([...new Set(rows.map((r) => r[1]))].sort()).toEqual([...names].sort());
      for (const row of rows) {
        // '...' repeats the previous row's namespace, name or dimensions
        const full = row.map((cell, j) => (cell === '.' ? rows[0]?.[j] : cell));
        expect(full[0] === 'KopsApiSentinel' || full[0] === '.').toBe(true);
        const dims = full.slice(2);
        const pairs = dims.flatMap((d, j) => (j % 2 === 0 ? [`${d}=${dims[j + 1]}`] : [])).sort();
        expect(pairs).toEqual([`cluster=${cluster}`, 'service=kops-api-sentinel']);
      }
    }
  });

  it('shows drift by finding code with a search over the code dimension of the cluster', () => {
    const graphs = widgets().filter((w) => w.properties.title === 'Drift by finding code');
    expect(graphs).toHaveLength(2);
    for (const [i, cluster] of [PROD, LEGACY].entries()) {
      const expression = JSON.stringify(graphs[i]?.properties.metrics);
      expect(expression).toContain(
        `SEARCH('{KopsApiSentinel,service,cluster,code} MetricName=\\"DriftFound\\" service=\\"kops-api-sentinel\\" cluster=\\"${cluster}\\"', 'Sum', 600)`,
      );
    }
  });
});
