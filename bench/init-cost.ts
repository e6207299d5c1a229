import { spawnSync } from 'node:child_process';
import { median, round2 } from './stats.ts';
import { atMost, info, type Row } from './table.ts';

/**
 * The cost of one cold module init, and how pairs of them (function, baseline) are run and judged:
 * each bundle is loaded in a fresh `node`, alternating function and baseline, and the dynamic import
 * of the bundle is measured in CPU time and max RSS. The figure is the median over the pairs of
 * function ÷ baseline, so a busy machine slows both sides alike.
 */
const AREA = 'cold start';
const MAX_RATIO = 1.3;
const RUN_TIMEOUT_MS = 30_000;

/** Imports the bundle given as argument and prints what the import cost. */
export const RUNNER = `
const { pathToFileURL } = await import('node:url');
const url = pathToFileURL(process.argv[1]).href;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(url);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - t0;
if (Object.keys(mod).length === 0) throw new Error('the bundle exports nothing');
process.stdout.write(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs, maxRssKiB: process.resourceUsage().maxRSS }));
`;

/** What Lambda sets and the handlers read at init; the same for function and baseline. */
export const RUN_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  POWERTOOLS_SERVICE_NAME: 'kops-api-sentinel',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface InitCost {
  cpuMs: number;
  wallMs: number;
  maxRssKiB: number;
}

/** One cold module init in a fresh node, as Lambda runs it (`--enable-source-maps` when maps are shipped). */
export function measureInit(file: string, sourceMaps: boolean): InitCost {
  const args = [...(sourceMaps ? ['--enable-source-maps'] : []), '--input-type=module', '-e', RUNNER, file];
  const res = spawnSync(process.execPath, args, { env: RUN_ENV, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  if (res.status !== 0)
    throw new Error(`loading ${file} failed (${res.status}): ${res.stderr.slice(0, 300)}`);
  return JSON.parse(res.stdout) as InitCost;
}

export interface Pairs {
  fn: InitCost[];
  base: InitCost[];
}

/** `pairs` alternating runs (which side goes first alternates too), after one warm-up of each. */
export function runPairs(
  fnFile: string,
  baseFile: string,
  pairs: number,
  measure: (file: string) => InitCost,
): Pairs {
  measure(fnFile);
  measure(baseFile);
  const out: Pairs = { fn: [], base: [] };
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      out.fn.push(measure(fnFile));
      out.base.push(measure(baseFile));
    } else {
      out.base.push(measure(baseFile));
      out.fn.push(measure(fnFile));
    }
  }
  return out;
}

/** The median over pairs of function ÷ baseline for one figure. */
export function medianRatio(p: Pairs, pick: (c: InitCost) => number): number {
  return round2(median(p.fn.map((f, i) => pick(f) / Math.max(1e-6, pick(p.base[i] ?? f)))));
}

/** Minified sizes of the two bundles, for reading the ratio. */
export interface BundleSizes {
  fnKiB: number;
  baseKiB: number;
}

/** The rows of one function: init CPU and max RSS ratios, and what the baseline holds. */
export function coldStartRowsOf(
  name: string,
  packages: readonly string[],
  p: Pairs,
  sizes?: BundleSizes,
): Row[] {
  const cpu = medianRatio(p, (c) => c.cpuMs);
  const rss = medianRatio(p, (c) => c.maxRssKiB);
  const med = (side: InitCost[], pick: (c: InitCost) => number) => round2(median(side.map(pick)));
  const extra = {
    pairs: p.fn.length,
    fnCpuMs: med(p.fn, (c) => c.cpuMs),
    baseCpuMs: med(p.base, (c) => c.cpuMs),
    fnWallMs: med(p.fn, (c) => c.wallMs),
    baseWallMs: med(p.base, (c) => c.wallMs),
    fnMaxRssMiB: med(p.fn, (c) => c.maxRssKiB / 1024),
    baseMaxRssMiB: med(p.base, (c) => c.maxRssKiB / 1024),
    ...sizes,
  };
  const bundles = sizes ? `; bundles ${sizes.fnKiB} KiB / ${sizes.baseKiB} KiB` : '';
  return [
    {
      ...atMost(AREA, `${name}: module-init CPU ÷ baseline (median of ${p.fn.length} pairs)`, cpu, MAX_RATIO),
      extra,
      note: `${name} baseline: ${packages.map((s) => s.replace(/^@aws-sdk\/client-/, 'client-')).join(', ')}`,
    },
    atMost(AREA, `${name}: max RSS ÷ baseline`, rss, MAX_RATIO),
    info(
      AREA,
      `${name}: init CPU, function / baseline (median)`,
      `${extra.fnCpuMs} ms / ${extra.baseCpuMs} ms${bundles}`,
      extra.fnCpuMs,
    ),
  ];
}
