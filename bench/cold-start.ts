import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, PROJECT_ROOT } from '../lib/bundling/options.ts';
import { baselineSource, clientClassOf, runtimePackages } from './baseline.ts';
import { buildBundle, FUNCTIONS, type FunctionName } from './build.ts';
import { coldStartRowsOf, measureInit, runPairs } from './init-cost.ts';
import type { Row } from './table.ts';

/**
 * Cold start: each function's bundle against its baseline (bench/baseline.ts), both built with the
 * stack's settings and loaded as Lambda loads them (bench/init-cost.ts), in 20 alternating pairs.
 */
export const PAIRS = 20;

const kib = async (file: string) => Math.round((await stat(file)).size / 1024);

/** A function's bundle and its baseline (bench/baseline.ts), both built with the stack's settings. */
export interface BuiltPair {
  fnFile: string;
  baseFile: string;
  packages: string[];
  sizes: { fnKiB: number; baseKiB: number };
}

/** Builds `name`'s bundle and its baseline under `dir`. */
export async function buildPair(name: FunctionName, dir: string): Promise<BuiltPair> {
  const fnFile = join(dir, name, 'index.mjs');
  const baseFile = join(dir, `${name}-baseline`, 'index.mjs');
  const packages = runtimePackages(await buildBundle({ fn: name }, fnFile));
  const source = baselineSource(packages, (pkg) => clientClassOf(pkg, PROJECT_ROOT));
  await buildBundle({ source, name: `${name}-baseline.mjs` }, baseFile);
  return { fnFile, baseFile, packages, sizes: { fnKiB: await kib(fnFile), baseKiB: await kib(baseFile) } };
}

export async function coldStartRows(
  pairs = PAIRS,
  only: readonly FunctionName[] = FUNCTIONS,
): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-cold-'));
  try {
    const rows: Row[] = [];
    for (const name of only) {
      const built = await buildPair(name, dir);
      const runs = runPairs(built.fnFile, built.baseFile, pairs, (file) =>
        measureInit(file, BUNDLE.sourceMap),
      );
      rows.push(...coldStartRowsOf(name, built.packages, runs, built.sizes));
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
