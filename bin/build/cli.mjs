// Compiles the operator CLI into dist/: one small entry (bin/cli.ts) and one chunk per command, loaded
// only when that command runs. Packages stay imports (they are the package's dependencies); the project's
// own sources are bundled in. Run by `prepare` (npm ci in a clone) and `prepack` (npm pack / publish).
// It leaves a stamp of what it read and wrote (BUILD_STAMP), so the tests' global setup
// (test/support/build-cli.ts) builds again only when a source changed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Where the build stamp is kept (outside dist/, which is packed; test/support/build-cli.ts reads it). */
const BUILD_STAMP = 'node_modules/.cache/kops-api-sentinel/cli-build.json';

const root = fileURLToPath(new URL('../..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });
rmSync(`${root}/${BUILD_STAMP}`, { force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'bin/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  metafile: true,
});

const sha256 = (file) =>
  createHash('sha256')
    .update(readFileSync(`${root}/${file}`))
    .digest('hex');
const read = [...Object.keys(result.metafile.inputs), 'bin/build/cli.mjs', 'tsconfig.json', 'package.json'];
const stamp = {
  inputs: Object.fromEntries(read.map((file) => [file, sha256(file)])),
  outputs: Object.keys(result.metafile.outputs),
};
mkdirSync(dirname(`${root}/${BUILD_STAMP}`), { recursive: true });
writeFileSync(`${root}/${BUILD_STAMP}`, JSON.stringify(stamp, null, 1));
