import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type Endpoint, LOOPBACK } from '../sandbox/tls-servers.ts';

/**
 * A TCP front that clocks a phase of probes from the endpoints' side: it forwards every connection
 * to `target` unchanged and notes when the first one of a timed run arrived. The phase lasts from
 * that first connection to the end of the run, whatever the probes report about themselves, so
 * probes made one after another show up as a phase as long as all of them together.
 */
export interface PhaseClock extends Endpoint {
  /** Runs `fn`; `ms` is from the first connection accepted during it to its end. Rejects if none came. */
  time<T>(fn: () => Promise<T>): Promise<{ ms: number; connections: number; result: T }>;
}

export async function startPhaseClock(target: { host: string; port: number }): Promise<PhaseClock> {
  const sockets = new Set<Socket>();
  let first: number | undefined;
  let connections = 0;
  const server = createServer((client) => {
    const at = performance.now();
    first ??= at;
    connections++;
    const upstream = createConnection({ host: target.host, port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: LOOPBACK,
    port,
    async time(fn) {
      first = undefined;
      connections = 0;
      const result = await fn();
      const end = performance.now();
      if (first === undefined) throw new Error('no connection reached the phase clock');
      return { ms: end - first, connections, result };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
