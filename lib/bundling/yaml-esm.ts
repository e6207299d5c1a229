import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * The `yaml` package resolves to its CommonJS build under Node (`exports` → `node`), which esbuild
 * cannot tree-shake: the whole library ships, the stringifier included. The same release ships the
 * same code as ES modules (`browser/`, plain JavaScript with no browser API in it); resolving the
 * bare `yaml` import there lets esbuild keep only what the verifier calls (`parseDocument` and the
 * node guards), 113 → 96 KiB. Same version, same source, same answers (a unit test parses one
 * nodeup config through both).
 */
export const YAML_ESM = join(
  dirname(createRequire(import.meta.url).resolve('yaml/package.json')),
  'browser',
  'index.js',
);

export function yamlEsmPlugin(): Plugin {
  return {
    name: 'yaml-esm',
    setup(build) {
      build.onResolve({ filter: /^yaml$/ }, () => ({ path: YAML_ESM }));
    },
  };
}
