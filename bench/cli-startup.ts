import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { atMost, info, type Row } from './table.ts';

/**
 * `kops-api-sentinel --help` start-up as a ratio to `node -e 0` (the runtime's own start-up), median of
 * alternating runs so that a busy machine slows both alike. Builds dist/ first, as `npm ci` does.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 7;
const AREA = 'cli';

function timed(args: string[]): number {
  const started = performance.now();
  const res = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const ms = performance.now() - started;
  if (res.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${res.status}: ${res.stderr.slice(0, 200)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export function cliStartupRows(): Row[] {
  const build = spawnSync(process.execPath, ['bin/build/cli.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (build.status !== 0) throw new Error(`building the CLI failed: ${build.stderr.slice(0, 200)}`);
  const cli: number[] = [];
  const bare: number[] = [];
  timed(['bin/kops-api-sentinel.mjs', '--help']); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    bare.push(timed(['-e', '0']));
    cli.push(timed(['bin/kops-api-sentinel.mjs', '--help']));
  }
  const ratio = Math.round((median(cli) / Math.max(1, median(bare))) * 100) / 100;
  return [
    {
      ...atMost(AREA, '`--help` start-up ÷ `node -e 0` (median of 7)', ratio, 3, '×'),
      extra: { cliMs: Math.round(median(cli)), nodeMs: Math.round(median(bare)) },
    },
    info(AREA, '`--help` start-up, absolute', `${Math.round(median(cli))} ms`, Math.round(median(cli))),
  ];
}
