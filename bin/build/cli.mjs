// Compiles the operator CLI into dist/: one small entry (bin/cli.ts) and one chunk per command, loaded
// only when that command runs. Packages stay imports (they are the package's dependencies); the project's
// own sources are bundled in. Run by `prepare` (npm ci in a clone) and `prepack` (npm pack / publish).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });
await build({
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
});
