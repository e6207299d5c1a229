import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { BUNDLE_CEILING_KIB, PROJECT_ROOT } from '../lib/bundling/options.ts';
import { buildBundle, FUNCTIONS } from './build.ts';
import { atMost, exactly, info, type Row } from './table.ts';

/**
 * Bundle sizes of the three functions, built with esbuild's JS API from the same BUNDLE settings
 * SentinelFunction hands NodejsFunction, with the example config defined in. A bundle's size is
 * all its code: index.mjs and its lazily loaded chunks. The source maps are written but not counted in the sizes.
 */
const AREA = 'bundle';
const BUILTINS = new Set(builtinModules);

/** Imports esbuild left external that are not Node built-ins (with bundleAwsSDK there should be none). */
export function externalImports(meta: Metafile): string[] {
  const paths = Object.values(meta.outputs).flatMap((o) =>
    o.imports.filter((i) => i.external).map((i) => i.path),
  );
  return [...new Set(paths)].filter((p) => !p.startsWith('node:') && !BUILTINS.has(p));
}

/** Every output file of a build whose name ends with `ext` (index.mjs and its chunks), concatenated. */
async function readOutputs(meta: Metafile, ext: string): Promise<Buffer> {
  const files = Object.keys(meta.outputs).filter((p) => p.endsWith(ext));
  return Buffer.concat(await Promise.all(files.map((p) => readFile(resolve(PROJECT_ROOT, p)))));
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export async function bundleRows(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-bench-'));
  const rows: Row[] = [];
  const maps: string[] = [];
  const externals: string[] = [];
  try {
    for (const name of FUNCTIONS) {
      const metafile = await buildBundle({ fn: name }, join(dir, name, 'index.mjs'));
      const code = await readOutputs(metafile, '.mjs');
      const map = await readOutputs(metafile, '.mjs.map');
      const min = kib(code.length);
      const gz = kib(gzipSync(code).length);
      rows.push({
        ...atMost(AREA, `${name}: minified KiB (gzip ${gz} KiB)`, min, BUNDLE_CEILING_KIB[name]),
        extra: { minifiedKiB: min, gzipKiB: gz, sourceMapKiB: kib(map.length) },
      });
      maps.push(`${name} ${kib(map.length)} KiB`);
      externals.push(...externalImports(metafile).map((s) => `${name}: ${s}`));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  rows.push(info(AREA, 'source maps (not in the sizes)', maps.join(', ')));
  const ext = exactly(AREA, 'imports left external (non-built-in)', externals.length, 0);
  rows.push(externals.length ? { ...ext, note: externals.join(', ') } : ext);
  return rows;
}
