import type { TestProject } from 'vitest/node';
import { startMotoPool } from './moto-pool.ts';

/** Vitest global setup: offers the test workers a moto_server each (moto-pool.ts), stopped at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pool = await startMotoPool();
  project.provide('motoPool', pool.url);
  return () => pool.close();
}
