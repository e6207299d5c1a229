import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { parseConfig } from '../../functions/core/config/load.ts';
import { configDefine, esbuildOptions, PROJECT_ROOT } from '../../lib/bundling/options.ts';
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
 * Bundles are built once and kept under node_modules/.cache, keyed by a hash of everything that
 * goes into them: the function sources, the bundling code (lib/), the lockfile (the dependencies
 * bundled in), the test config and this file. Any change to those builds afresh; the files
 * reading the same bundles (and later runs) share one build.
 */
const CACHE = join(PROJECT_ROOT, 'node_modules', '.cache', 'kops-api-sentinel-bundles');
const INPUTS = [
  'functions',
  'lib',
  'bin/build',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'test/infra/bundle.ts',
  'test/infra/helpers.ts',
];

function filesUnder(path: string): string[] {
  const abs = join(PROJECT_ROOT, path);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [abs];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => join(abs, f))
    .filter((f) => statSync(f).isFile());
}

let inputsHash: string | undefined;
function hashOfInputs(): string {
  if (!inputsHash) {
    const hash = createHash('sha256');
    for (const file of INPUTS.flatMap(filesUnder).sort()) {
      hash.update(relative(PROJECT_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
    inputsHash = hash.digest('hex').slice(0, 24);
  }
  return inputsHash;
}

/** The cache entry `key`, made by `make` into a fresh directory when it is not there yet. */
async function cached(key: string, make: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(CACHE, hashOfInputs(), key);
  if (existsSync(dir)) return dir;
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await make(partial);
  try {
    renameSync(partial, dir);
  } catch {
    // another test file built it meanwhile: theirs is as good
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

const define = () => configDefine(parseConfig(twoClusterInput()));

/**
 * One function bundled as the stack bundles it (the two-cluster config compiled in), in memory and
 * without a source map (whose comments would blur what the code itself names): its text, its
 * size and what it holds.
 */
export async function bundleFunction(name: string): Promise<BundledFunction> {
  const dir = await cached(`${name}-text`, async (out) => {
    const result = await build({
      ...esbuildOptions(`functions/${name}/handler.ts`, `/nonexistent/${name}/index.mjs`, define()),
      sourcemap: false,
      write: false,
      metafile: true,
    });
    const kept = Object.values(result.metafile?.outputs ?? {}).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, v]) => v.bytesInOutput > 0)
        .map(([p]) => p),
    );
    writeFileSync(join(out, 'index.mjs'), result.outputFiles.map((f) => f.text).join('\n'));
    const facts = {
      bytes: result.outputFiles.reduce((n, f) => n + f.contents.length, 0),
      sources: Object.keys(result.metafile?.inputs ?? {}).filter(
        (f) => !f.includes('node_modules') && f.endsWith('.ts'),
      ),
      inputs: [...new Set(kept)],
    };
    writeFileSync(join(out, 'facts.json'), JSON.stringify(facts));
  });
  const facts = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')) as Omit<BundledFunction, 'text'>;
  return { text: readFileSync(join(dir, 'index.mjs'), 'utf8'), ...facts };
}

/** One function bundled exactly as the stack bundles it (source map included): the path of its index.mjs. */
export async function bundledModule(name: string): Promise<string> {
  const dir = await cached(`${name}-module`, async (out) => {
    await build(esbuildOptions(join('functions', name, 'handler.ts'), join(out, 'index.mjs'), define()));
  });
  return join(dir, 'index.mjs');
}
