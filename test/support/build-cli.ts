import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startMotoPool } from './moto-pool.ts';

/**
 * Vitest global setup: compiles the CLI once, so the tests that run the binary run the current
 * sources, and offers the test workers a moto_server each (moto-pool.ts), stopped at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(process.execPath, ['bin/build/cli.mjs'], { stdio: 'inherit', timeout: 60_000 });
  const pool = await startMotoPool();
  project.provide('motoPool', pool.url);
  return () => pool.close();
}
