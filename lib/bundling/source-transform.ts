import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** An esbuild plugin that loads the files matching `filter` through a text transform. */
export function sourceTransformPlugin(
  name: string,
  filter: RegExp,
  transform: (source: string) => string,
): Plugin {
  return {
    name,
    setup(build) {
      build.onLoad({ filter }, async (args) => ({
        contents: transform(await readFile(args.path, 'utf8')),
        loader: 'js',
      }));
    },
  };
}
