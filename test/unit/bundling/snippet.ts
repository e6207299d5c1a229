import { build, type Plugin } from 'esbuild';

/** A snippet bundled as the functions are (ESM, minified, node_modules resolved from the project). */
export async function bundleSnippet(
  contents: string,
  plugins: Plugin[],
): Promise<{ text: string; bytesFrom: (pathPart: string) => number; kept: (pathPart: string) => string[] }> {
  const out = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  const inputs = Object.entries(Object.values(out.metafile.outputs)[0]?.inputs ?? {});
  const matching = (part: string) => inputs.filter(([p, v]) => p.includes(part) && v.bytesInOutput > 0);
  return {
    text: out.outputFiles[0]?.text ?? '',
    bytesFrom: (part) => matching(part).reduce((n, [, v]) => n + v.bytesInOutput, 0),
    kept: (part) => matching(part).map(([p]) => p),
  };
}
