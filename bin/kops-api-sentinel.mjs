#!/usr/bin/env node
// The operator CLI: runs the TypeScript sources directly through tsx, so a clone needs no build step.
import { register } from 'tsx/esm/api';

// The pinned SDK runs on Node 20; its notice about future releases needing Node 22 is in the README.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The rehearsal prints its own timeline; the handlers' JSON logs would bury it
// (run with POWERTOOLS_LOG_LEVEL=INFO to see them).
if (process.argv[2] === 'rehearse') process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
