import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE } from '../lib/bundling/options.ts';
import { FUNCTIONS, type FunctionName } from './build.ts';
import { buildPair } from './cold-start.ts';
import { RUN_ENV, RUNNER } from './init-cost.ts';
import { round2 } from './stats.ts';
import { atMost, info, type Row } from './table.ts';

/**
 * Cold start in machine instructions: the CPU-time ratio of the cold-start section moves with the
 * machine's load (±0.07 between runs on a busy machine); the number of instructions one cold import
 * executes does not (about 0.01% between runs), because node runs single-threaded and predictable
 * (`--single-threaded --predictable`) under valgrind's cachegrind, which counts them. The figure is
 * (instructions of node importing the bundle − node importing an empty module) for the function
 * over the same for its baseline. Needs valgrind (Debian: `apt-get install valgrind`); without it
 * the section says so and judges nothing.
 */
const AREA = 'cold start';
const MAX_RATIO = 1.3;
const RUN_TIMEOUT_MS = 180_000;

export function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Instructions executed by a fresh node importing `file` (cachegrind's `I refs`). */
export function instructionsOf(file: string): number {
  const node = [
    '--single-threaded',
    '--predictable',
    ...(BUNDLE.sourceMap ? ['--enable-source-maps'] : []),
    '--input-type=module',
    '-e',
    RUNNER,
    file,
  ];
  const res = spawnSync(
    'valgrind',
    ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, ...node],
    { env: RUN_ENV, encoding: 'utf8', timeout: RUN_TIMEOUT_MS },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(res.stderr ?? '')?.[1];
  if (res.status !== 0 || !refs)
    throw new Error(
      `counting the instructions of ${file} failed (${res.status}): ${(res.stderr ?? '').slice(-300)}`,
    );
  return Number(refs.replaceAll(',', ''));
}

export async function instructionRows(only: readonly FunctionName[] = FUNCTIONS): Promise<Row[]> {
  if (!valgrindAvailable())
    return [info(AREA, 'instructions of one cold init ÷ baseline', 'skipped: valgrind is not installed')];
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-instr-'));
  try {
    const empty = join(dir, 'empty.mjs');
    await writeFile(empty, 'export const empty = true;\n');
    const node = instructionsOf(empty);
    const rows: Row[] = [];
    for (const name of only) {
      const built = await buildPair(name, dir);
      const fn = instructionsOf(built.fnFile) - node;
      const base = instructionsOf(built.baseFile) - node;
      rows.push({
        ...atMost(
          AREA,
          `${name}: instructions of one cold init ÷ baseline (valgrind, load-independent)`,
          round2(fn / base),
          MAX_RATIO,
        ),
        extra: { fnMillions: Math.round(fn / 1e6), baseMillions: Math.round(base / 1e6) },
        note: `${Math.round(fn / 1e6)} M vs ${Math.round(base / 1e6)} M instructions`,
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
