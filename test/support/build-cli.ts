import { execFileSync } from 'node:child_process';

/** Vitest global setup: compiles the CLI once, so the tests that run the binary run the current sources. */
export default function setup(): void {
  execFileSync(process.execPath, ['bin/build/cli.mjs'], { stdio: 'inherit', timeout: 60_000 });
}
