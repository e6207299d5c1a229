#!/usr/bin/env node
// The operator CLI: runs the compiled entry in dist/ (built by `npm ci`/`npm run build` in a clone, shipped
// in the package). Each command's code is loaded only when that command runs.

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is in the README.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The rehearsal prints its own timeline; the handlers' JSON logs would bury it
// (run with POWERTOOLS_LOG_LEVEL=INFO to see them).
if (process.argv[2] === 'rehearse') process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const entry = new URL('../dist/cli.js', import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err;
  process.stderr.write(
    'error (not built): dist/cli.js is missing; run `npm run build` (or `npm ci`) first\n',
  );
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
