import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchMoto, type Moto } from '../../sandbox/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the moto pool of this test run ('' when there is none). */
    motoPool: string;
  }
}

/**
 * One moto_server per test worker, started by the main vitest process (moto-pool-setup.ts) when a worker first asks
 * for it and kept for the whole run. A worker runs its files one after the other, so each file
 * has the server to itself; it resets the server before use (withMoto), which leaves it as
 * empty as a fresh one. Starting moto and loading its EC2, ELB and Auto Scaling models took a
 * few seconds per file; now it is done once per worker. Nothing is started for a run that has
 * no moto test.
 */
export async function startMotoPool(): Promise<{ url: string; close(): Promise<void> }> {
  const servers = new Map<string, Promise<Moto>>();
  const control = createServer((req, res) => {
    const worker = new URL(req.url ?? '/', 'http://pool').searchParams.get('worker') ?? '';
    if (!/^[0-9]{1,3}$/.test(worker)) {
      res.writeHead(400).end('worker must be a pool id');
      return;
    }
    let server = servers.get(worker);
    if (!server) {
      server = launchMoto();
      servers.set(worker, server);
      // a failed start is not kept: the next file of that worker tries again
      server.catch(() => servers.delete(worker));
    }
    server.then(
      (moto) => res.writeHead(200, { 'content-type': 'text/plain' }).end(moto.endpoint),
      (err: unknown) => res.writeHead(500).end(err instanceof Error ? err.message : String(err)),
    );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const { port } = control.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await Promise.all(
        [...servers.values()].map((s) =>
          s.then(
            (moto) => moto.stop(),
            () => undefined,
          ),
        ),
      );
    },
  };
}

/** The endpoint of this worker's moto_server, started on first asking; undefined outside a pool. */
export async function pooledMotoEndpoint(
  poolUrl: string,
  worker: string | undefined,
): Promise<string | undefined> {
  if (!poolUrl || !worker) return undefined;
  const res = await fetch(`${poolUrl}/?worker=${encodeURIComponent(worker)}`, {
    signal: AbortSignal.timeout(55_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`the moto pool could not start a server for worker ${worker}: ${text}`);
  return text;
}
