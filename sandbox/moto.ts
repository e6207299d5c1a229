import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** A moto_server on a free loopback port: the local AWS of the tests, the rehearsal and the benchmark. */
export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * moto_server as `moto_server` runs it, but one request at a time. moto checks a DynamoDB condition
 * and then writes the item without a lock, so two threads can both pass `attribute_not_exists` and
 * both "win" (seen under load: about 1 round in 400 of four concurrent claims). DynamoDB applies a
 * conditional write atomically per item; serving requests one at a time gives the tests that
 * guarantee. Responses are read out inside the lock; keep-alive connections still work.
 */
const SERIALIZED_MOTO = `
import os, sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
app.debug = True
lock = threading.Lock()
def one_at_a_time(environ, start_response):
    with lock:
        return list(app(environ, start_response))
run_simple(host, port, one_at_a_time, threaded=True)
`;

/** Whether the python3 on PATH can run moto itself (then requests are served one at a time). */
function serializedMotoAvailable(): boolean {
  return (
    spawnSync('python3', ['-c', 'import moto.server, werkzeug.serving'], { stdio: 'ignore' }).status === 0
  );
}

async function waitReady(endpoint: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 200 && Date.now() < deadline; attempt++) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited early with code ${proc.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
}

/**
 * Starts moto_server and points the AWS SDK at it through AWS_ENDPOINT_URL (never a hard-coded
 * endpoint in the code under test). Credentials are dummies; moto accepts any.
 */
export async function startMoto(options: { region?: string } = {}): Promise<Moto> {
  if (!motoAvailable()) {
    throw new Error(
      'moto_server is not installed; install it with: python3 -m pip install "moto[server]>=5.2,<5.3"',
    );
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = serializedMotoAvailable()
    ? spawn('python3', ['-c', SERIALIZED_MOTO, '127.0.0.1', String(port)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  // never outlive the process that started it (a killed test worker, an interrupted rehearsal)
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  proc.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await waitReady(endpoint, proc, 20_000);
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_SESSION_TOKEN = 'testing';
  process.env.AWS_REGION = options.region ?? 'eu-west-1';
  process.env.AWS_DEFAULT_REGION = process.env.AWS_REGION;
  // moto on a loaded machine (tests in parallel) can take longer than AWS to answer; keep the
  // per-attempt timeout for a hung endpoint, not for a slow local one
  process.env.SENTINEL_AWS_REQUEST_TIMEOUT_MS ??= '30000';
  return {
    endpoint,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (proc.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          proc.kill('SIGKILL');
          resolve();
        }, 3000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    },
  };
}
