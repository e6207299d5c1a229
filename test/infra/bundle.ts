import { build } from 'esbuild';
import { parseConfig } from '../../functions/core/config/load.ts';
import { configDefine, esbuildOptions } from '../../lib/constructs/sentinel-function.ts';
import { twoClusterInput } from './helpers.ts';

/**
 * One function bundled as the stack bundles it (the two-cluster config compiled in), in memory and
 * without a source map (whose comments would blur what the code itself names): its text and the
 * project files it holds.
 */
export async function bundleFunction(name: string): Promise<{ text: string; sources: string[] }> {
  const result = await build({
    ...esbuildOptions(
      `functions/${name}/handler.ts`,
      `/nonexistent/${name}/index.mjs`,
      configDefine(parseConfig(twoClusterInput())),
    ),
    sourcemap: false,
    write: false,
    metafile: true,
  });
  return {
    text: result.outputFiles.map((f) => f.text).join('\n'),
    sources: Object.keys(result.metafile?.inputs ?? {}).filter(
      (f) => !f.includes('node_modules') && f.endsWith('.ts'),
    ),
  };
}
