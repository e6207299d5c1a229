import { build } from 'esbuild';
import { parseConfig } from '../../functions/core/config/load.ts';
import { configDefine, esbuildOptions } from '../../lib/bundling/options.ts';
import { twoClusterInput } from './helpers.ts';

export interface BundledFunction {
  text: string;
  /** Bytes of the minified code (what Lambda loads, without the source map comment). */
  bytes: number;
  /** The project files it holds. */
  sources: string[];
  /** Every input esbuild kept some of (project and node_modules). */
  inputs: string[];
}

/**
 * One function bundled as the stack bundles it (the two-cluster config compiled in), in memory and
 * without a source map (whose comments would blur what the code itself names): its text, its
 * size and what it holds.
 */
export async function bundleFunction(name: string): Promise<BundledFunction> {
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
  const kept = Object.values(result.metafile?.outputs ?? {}).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([p]) => p),
  );
  return {
    text: result.outputFiles.map((f) => f.text).join('\n'),
    bytes: result.outputFiles.reduce((n, f) => n + f.contents.length, 0),
    sources: Object.keys(result.metafile?.inputs ?? {}).filter(
      (f) => !f.includes('node_modules') && f.endsWith('.ts'),
    ),
    inputs: [...new Set(kept)],
  };
}
