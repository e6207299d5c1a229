import type { Plugin } from 'esbuild';

/**
 * `bowser` (a browser user-agent parser) is imported by the SDK's browser user-agent provider only,
 * through a dynamic `import()`. Node never runs that provider, and a single-file bundle dropped it
 * with its import; but with code splitting (lib/bundling/options.ts) esbuild emits a chunk for every
 * dynamic import target, used or not: 35 KiB of parser in every function's asset. The plugin
 * resolves it to an empty module, so nothing of it is emitted.
 */
export const BROWSER_ONLY = /^bowser$/;

export function browserOnlyPlugin(): Plugin {
  return {
    name: 'browser-only',
    setup(build) {
      build.onResolve({ filter: BROWSER_ONLY }, (args) => ({ path: args.path, namespace: 'browser-only' }));
      build.onLoad({ filter: /.*/, namespace: 'browser-only' }, () => ({
        contents: 'export {};',
        loader: 'js',
      }));
    },
  };
}
