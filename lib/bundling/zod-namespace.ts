import type { Plugin } from 'esbuild';
import { sourceTransformPlugin } from './source-transform.ts';

/**
 * `import { z } from 'zod'` keeps every export of zod's namespace, its 40 locales included (about
 * 258 KiB minified); `import * as z from 'zod'` lets esbuild keep only what is used. The project's
 * files use the namespace import; Powertools Parser's schemas and envelopes are written with the
 * named one, so this plugin rewrites that one statement in them. zod's root module re-exports all
 * of `z` (`export * from './v4/classic/external.js'`), so `z.object`, `z.string`, … are the same
 * functions either way.
 */
export const POWERTOOLS_PARSER = /[\\/]@aws-lambda-powertools[\\/]parser[\\/].*\.js$/;

const NAMED_Z = /^import \{ z \} from (['"])zod\1;$/gm;

/** Rewrites `import { z } from 'zod';` statements (whole lines) as namespace imports. */
export function zodNamespaceImport(source: string): { code: string; rewritten: number } {
  let rewritten = 0;
  const code = source.replace(NAMED_Z, (_whole, quote: string) => {
    rewritten++;
    return `import * as z from ${quote}zod${quote};`;
  });
  return { code, rewritten };
}

export function zodNamespacePlugin(): Plugin {
  return sourceTransformPlugin('zod-namespace-import', POWERTOOLS_PARSER, (s) => zodNamespaceImport(s).code);
}
