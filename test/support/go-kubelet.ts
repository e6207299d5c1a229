import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * kubelet's TLS client, for real: a small Go program (standard library only, test/support/go)
 * built once per test run with the Go toolchain on this machine (Debian's golang-go; `.ci/run`
 * installs it). No network: GOTOOLCHAIN=local, GOPROXY=off, no modules.
 */

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'go', 'kubelet_handshake.go');
const CANDIDATES = ['go', '/usr/lib/go/bin/go', '/usr/local/go/bin/go'];
const BUILD_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 120_000;

export interface GoToolchain {
  go: string;
  /** `go1.19.8` */
  version: string;
  /** 19 for go1.19.8 */
  minor: number;
  env: NodeJS.ProcessEnv;
}

export interface GoJob {
  id: string;
  addr: string;
  rootsPem: string;
  serverName: string;
}

export interface GoVerdict {
  id: string;
  ok: boolean;
  error?: string;
}

/** The Go toolchain, or undefined when there is none. */
export function findGo(): GoToolchain | undefined {
  const cache = join(tmpdir(), 'kops-api-sentinel-go');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOFLAGS: '',
    GO111MODULE: 'off',
    GOCACHE: join(cache, 'cache'),
    GOPATH: join(cache, 'path'),
    CGO_ENABLED: '0',
  };
  for (const go of CANDIDATES) {
    if (go.startsWith('/') && !existsSync(go)) continue;
    try {
      const version = execFileSync(go, ['env', 'GOVERSION'], { env, timeout: 20_000 }).toString().trim();
      const minor = Number.parseInt(/^go1\.(\d+)/.exec(version)?.[1] ?? '', 10);
      if (Number.isInteger(minor)) return { go, version, minor, env };
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** Builds the judge into a fresh temp dir; returns the binary's path. */
export function buildKubeletJudge(tc: GoToolchain): string {
  const out = join(mkdtempSync(join(tmpdir(), 'kubelet-judge-')), 'kubelet-judge');
  execFileSync(tc.go, ['build', '-o', out, SOURCE], {
    env: tc.env,
    cwd: dirname(SOURCE),
    timeout: BUILD_TIMEOUT_MS,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return out;
}

/** One Go process judges every job, in order. */
export function judgeWithGo(binary: string, jobs: readonly GoJob[]): Promise<GoVerdict[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`kubelet judge exited ${code}: ${Buffer.concat(err).toString().slice(0, 400)}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()) as GoVerdict[]);
      } catch (e) {
        reject(e as Error);
      }
    });
    child.stdin.end(JSON.stringify(jobs));
  });
}
