import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import type { SentinelConfig } from '../../functions/core/config/schema.ts';
import { browserOnlyPlugin } from './browser-only.ts';
import { lambdaCredentialsPlugin } from './lambda-credentials.ts';
import { sdkSchemaKeysPlugin } from './sdk-schema-keys.ts';
import { yamlEsmPlugin } from './yaml-esm.ts';
import { zodNamespacePlugin } from './zod-namespace.ts';

/**
 * Each function's size budget, minified (issue 10): the bundle test holds them as ceilings and the
 * bench judges its size rows against them.
 */
export const BUNDLE_CEILING_KIB = { registrar: 800, verifier: 1024, notifier: 250, hub: 450 } as const;

/** The project root (where package.json and package-lock.json live). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * ESM bundles still meet CommonJS dependencies that call `require` (some SDK and Powertools
 * internals); the banner gives them one.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __sentinelCreateRequire } from 'node:module'; const require = __sentinelCreateRequire(import.meta.url);";

/**
 * The esbuild settings of every function's bundle, in one place: the stack builds with them
 * (bin/build/bundle-function.ts), and the benchmark and the tests build with the same ones. ESM
 * output, the AWS SDK bundled (the project's pinned version, not the runtime's), nothing left
 * external.
 */
export const BUNDLE = {
  minify: true,
  sourceMap: true,
  // the map points into the sources without holding them: smaller to load, and still enough for
  // --enable-source-maps to name the TypeScript file and line
  sourcesContent: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
} as const;

/** Where the lazily loaded modules of a bundle go, beside its index.mjs (see esbuildOptions). */
export const CHUNK_NAMES = 'chunks/[name]-[hash]';

/**
 * The esbuild options of a function's bundle (entry → index.mjs, nothing external, the SDK's
 * schema modules trimmable, Powertools Parser's zod imports without locales, the environment's
 * credentials only, yaml's ES-module build, no browser-only parser; see the plugins): the
 * stack, the benchmark and the tests use them. Code split: what the code loads with `import()`
 * (yaml in the verifier, the SDK's event streams) goes to chunks/ beside index.mjs and is compiled
 * only when first loaded, not in every cold start; the asset holds the whole directory.
 */
export function esbuildOptions(entry: string, outfile: string, define: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [entry],
    outdir: dirname(outfile),
    entryNames: basename(outfile).replace(/\.mjs$/, ''),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: CHUNK_NAMES,
    bundle: true,
    platform: 'node',
    target: BUNDLE.target,
    format: 'esm',
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    // the AWS SDK is bundled: nothing external
    external: [],
    define: { 'process.env.SENTINEL_CONFIG_JSON': define },
    plugins: [
      sdkSchemaKeysPlugin(),
      zodNamespacePlugin(),
      lambdaCredentialsPlugin(),
      yamlEsmPlugin(),
      browserOnlyPlugin(),
    ],
    logLevel: 'silent',
    write: true,
  };
}

/**
 * The esbuild `define` value for the configuration: a JavaScript string literal holding the JSON.
 * `$` and backticks are written as JSON unicode escapes so the value survives any shell that a
 * bundling path might pass it through; `JSON.parse` reads them back unchanged.
 */
export function configDefine(config: SentinelConfig): string {
  const json = JSON.stringify(config).replace(/\$/g, '\\u0024').replace(/`/g, '\\u0060');
  return JSON.stringify(json);
}
