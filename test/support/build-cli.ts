import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

/** Kept by bin/build/cli.mjs: each file the last build read with its hash, and what it wrote. */
const BUILD_STAMP = 'node_modules/.cache/kops-api-sentinel/cli-build.json';

interface Stamp {
  inputs: Record<string, string>;
  outputs: string[];
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Whether dist/ is the build of the current sources: every input unchanged, every output there. */
export function cliBuildIsCurrent(stampFile = BUILD_STAMP): boolean {
  if (!existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
    const inputs = Object.entries(stamp.inputs ?? {});
    return (
      inputs.length > 0 &&
      inputs.every(([file, hash]) => existsSync(file) && sha256(file) === hash) &&
      (stamp.outputs ?? []).every((file) => existsSync(file))
    );
  } catch {
    return false;
  }
}

/**
 * Vitest global setup (both projects): compiles the CLI, so the tests that run the binary run the
 * current sources; once per run and not at all when the last build (npm ci's `prepare`, or an
 * earlier run) read the same sources.
 */
export default function setup(): void {
  if (cliBuildIsCurrent()) return;
  execFileSync(process.execPath, ['bin/build/cli.mjs'], { stdio: 'inherit', timeout: 60_000 });
}
