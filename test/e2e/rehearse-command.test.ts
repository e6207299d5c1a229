import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The README's first command, as a newcomer runs it: `npm run rehearse`, its own process, with none
 * of the test environment (no shared moto, no silenced Powertools). Its output is the timeline and
 * the Slack messages only: no log or metrics lines from the handlers.
 */
const TIMEOUT_MS = 150_000;

function runRehearse(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('POWERTOOLS_') || name.startsWith('AWS_') || name.startsWith('SENTINEL_'))
      delete env[name];
  }
  return new Promise((resolve, reject) => {
    // its own process group: a timeout kills npm, the CLI and the moto_server it started, together
    const child = spawn('npm', ['run', '--silent', 'rehearse', '--', '--groups', '1'], {
      env,
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, TIMEOUT_MS - 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run rehearse (the README first command)', () => {
  it(
    'passes in its own process and prints the timeline and Slack messages, no EMF or JSON log lines',
    async () => {
      const res = await runRehearse();
      expect(res.stderr).not.toMatch(/^\{"_aws"/m);
      expect(res.code, res.stderr.slice(-500)).toBe(0);
      expect(res.stdout).toMatch(/REHEARSAL PASSED\s*$/);
      expect(res.stdout).toContain('Slack messages received by the local stand-in');
      // Powertools writes EMF and JSON logs to stdout: none may reach the operator's screen
      expect(res.stdout).not.toMatch(/^\{"_aws"/m);
      expect(res.stdout).not.toMatch(/^\{"level"/m);
    },
    TIMEOUT_MS,
  );
});
