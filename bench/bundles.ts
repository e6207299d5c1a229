import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { loadConfigFile } from '../functions/core/config/load.ts';
import { configDefine, PROJECT_ROOT } from '../lib/constructs/sentinel-function.ts';
import { exactly, info, type Row } from './table.ts';

/**
 * Bundle sizes of the three functions, built with esbuild's JS API exactly as SentinelFunction has
 * NodejsFunction build them (the options aws-cdk-lib turns its bundling props into), with the
 * example config defined in. The source map is written but not counted in the sizes.
 */
export const FUNCTIONS = ['registrar', 'verifier', 'notifier'] as const;

const AREA = 'bundle';
const SOURCE = join(PROJECT_ROOT, 'lib', 'constructs', 'sentinel-function.ts');

/** sentinel-function.ts keeps its banner private; the sync check below compares it with the source. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __sentinelCreateRequire } from 'node:module'; const require = __sentinelCreateRequire(import.meta.url);";

/** The `bundling` props of SentinelFunction, each with the source text it must match there. */
const BUNDLING_PROPS: Record<string, string> = {
  minify: 'minify: true,',
  sourceMap: 'sourceMap: true,',
  format: 'format: OutputFormat.ESM,',
  target: "target: 'node22',",
  mainFields: "mainFields: ['module', 'main'],",
  banner: 'banner: ESM_REQUIRE_BANNER,',
  bundleAwsSDK: 'bundleAwsSDK: true,',
  forceDockerBundling: 'forceDockerBundling: false,',
  define: "'process.env.SENTINEL_CONFIG_JSON': configDefine(props.config),",
};

/** The esbuild options NodejsFunction derives from those props (entry → index.mjs, no externals). */
export function sentinelBuildOptions(entry: string, outfile: string, define: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    // bundleAwsSDK: true leaves nothing external
    external: [],
    define: { 'process.env.SENTINEL_CONFIG_JSON': define },
    logLevel: 'silent',
    write: true,
  };
}

/** The text of the `bundling: { … }` block of sentinel-function.ts. */
function bundlingBlock(source: string): string {
  const start = source.indexOf('bundling: {');
  if (start < 0) return '';
  let depth = 0;
  for (let i = source.indexOf('{', start); i < source.length; i++) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) return source.slice(start, i + 1);
  }
  return '';
}

/** How many of the copied options still read the same in sentinel-function.ts (and nothing was added there). */
export function optionsInSync(source: string): { matched: number; expected: number; problems: string[] } {
  const block = bundlingBlock(source);
  const problems: string[] = [];
  const keys = [...block.matchAll(/^\s*(['\w.]+):/gm)].map((m) => (m[1] ?? '').replace(/'/g, ''));
  const known = new Set([...Object.keys(BUNDLING_PROPS), 'bundling', 'process.env.SENTINEL_CONFIG_JSON']);
  for (const key of keys) if (!known.has(key)) problems.push(`new bundling prop ${key}`);
  let matched = 0;
  for (const [key, text] of Object.entries(BUNDLING_PROPS)) {
    if (block.includes(text)) matched++;
    else problems.push(`${key} differs`);
  }
  if (source.includes(JSON.stringify(ESM_REQUIRE_BANNER))) matched++;
  else problems.push('banner text differs');
  return { matched, expected: Object.keys(BUNDLING_PROPS).length + 1, problems };
}

const BUILTINS = new Set(builtinModules);

/** Imports esbuild left external that are not Node built-ins (with bundleAwsSDK there should be none). */
export function externalImports(meta: Metafile): string[] {
  const paths = Object.values(meta.outputs).flatMap((o) =>
    o.imports.filter((i) => i.external).map((i) => i.path),
  );
  return [...new Set(paths)].filter((p) => !p.startsWith('node:') && !BUILTINS.has(p));
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export async function bundleRows(): Promise<Row[]> {
  const config = loadConfigFile(join(PROJECT_ROOT, 'config', 'example.yaml'));
  const define = configDefine(config);
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-bench-'));
  const rows: Row[] = [];
  const maps: string[] = [];
  const externals: string[] = [];
  try {
    for (const name of FUNCTIONS) {
      const outfile = join(dir, name, 'index.mjs');
      // metafile only reports what was bundled; it does not change the output
      const result = await build({
        ...sentinelBuildOptions(join('functions', name, 'handler.ts'), outfile, define),
        metafile: true,
      });
      const code = await readFile(outfile);
      const map = await readFile(`${outfile}.map`);
      const min = kib(code.length);
      const gz = kib(gzipSync(code).length);
      rows.push({
        ...info(AREA, `${name}: minified, gzip`, `${min} KiB, gzip ${gz} KiB`, min),
        extra: { minifiedKiB: min, gzipKiB: gz, sourceMapKiB: kib(map.length) },
      });
      maps.push(`${name} ${kib(map.length)} KiB`);
      externals.push(...externalImports(result.metafile).map((s) => `${name}: ${s}`));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  rows.push(info(AREA, 'source maps (not in the sizes)', maps.join(', ')));
  const ext = exactly(AREA, 'imports left external (non-built-in)', externals.length, 0);
  rows.push(externals.length ? { ...ext, note: externals.join(', ') } : ext);
  const sync = optionsInSync(readFileSync(SOURCE, 'utf8'));
  const syncRow = exactly(AREA, 'options same as sentinel-function.ts', sync.matched, sync.expected);
  rows.push(sync.problems.length ? { ...syncRow, verdict: 'FAIL', note: sync.problems.join('; ') } : syncRow);
  return rows;
}
