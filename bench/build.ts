import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { loadConfigFile } from '../functions/core/config/load.ts';
import { configDefine, esbuildOptions, PROJECT_ROOT } from '../lib/bundling/options.ts';

/**
 * Builds bundles as the stack does (the same esbuild options SentinelFunction hands NodejsFunction,
 * the example config compiled in), for the bundle-size and cold-start rows.
 */
export const FUNCTIONS = ['registrar', 'verifier', 'notifier', 'hub'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

let define: string | undefined;

function exampleDefine(): string {
  define ??= configDefine(loadConfigFile(join(PROJECT_ROOT, 'config', 'example.yaml')));
  return define;
}

/** What to bundle: a function's handler, or generated source resolved from the project root. */
export type BundleInput = { fn: FunctionName } | { source: string; name: string };

/** Writes the bundle (and its source map, as the stack's settings say) to `outfile`; returns the metafile. */
export async function buildBundle(input: BundleInput, outfile: string): Promise<Metafile> {
  const base = esbuildOptions(
    'fn' in input ? join('functions', input.fn, 'handler.ts') : input.name,
    outfile,
    exampleDefine(),
  );
  const options: BuildOptions =
    'fn' in input
      ? base
      : {
          ...base,
          entryPoints: [],
          stdin: { contents: input.source, resolveDir: PROJECT_ROOT, sourcefile: input.name, loader: 'js' },
        };
  // metafile only reports what was bundled; it does not change the output
  const result = await build({ ...options, metafile: true });
  return result.metafile;
}
