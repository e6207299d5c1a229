#!/usr/bin/env node
// The operator CLI: runs the TypeScript sources directly through tsx, so a clone needs no build step.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING ??= '1';
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
