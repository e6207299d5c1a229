import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../lib/bundling/options.ts';

/**
 * Bundles one function into a directory as index.mjs (+ index.mjs.map), with the esbuild plugins
 * NodejsFunction's own bundling cannot run. The stack calls it at synth time (SentinelFunction);
 * usage: bundle-function <entry> <output dir> <file holding the config define>.
 */
const [entry, outdir, defineFile] = process.argv.slice(2);
if (!entry || !outdir || !defineFile) {
  console.error('usage: bundle-function <entry> <output dir> <config define file>');
  process.exit(2);
}
const result = await build({
  ...esbuildOptions(entry, join(outdir, 'index.mjs'), readFileSync(defineFile, 'utf8')),
  logLevel: 'error',
});
if (result.errors.length > 0) process.exit(1);
