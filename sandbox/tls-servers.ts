import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';

/**
 * Endpoints on 127.0.0.1 ephemeral ports for the TLS probe tests and the benchmark: real TLS
 * servers, a TCP server that never speaks, a plain HTTP server, a closed port, and a latency
 * proxy. Every server tracks its sockets and closes them all on close(); nothing is left open.
 */

export const LOOPBACK = '127.0.0.1';

export interface Endpoint {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** What a TLS server saw from one client. */
export interface SeenConnection {
  /** SNI sent by the client (false when none). */
  servername: string | false;
  clientCertificate: boolean;
  /** Application bytes received after the handshake. */
  bytesReceived: number;
  /** Resolves when the client's connection has closed. */
  closed: Promise<void>;
}

export interface TlsEndpoint extends Endpoint {
  /** SNI values seen in ClientHellos, in order (also for handshakes that did not complete). */
  servernames: Array<string | false>;
  connections: SeenConnection[];
  /** Resolves once `count` handshakes have completed server-side; rejects after `timeoutMs`. */
  waitForConnections(count: number, timeoutMs?: number): Promise<SeenConnection[]>;
}

const CLOSE_TIMEOUT_MS = 2000;

function tracked(server: Server): { close(): Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('close', () => sockets.delete(s));
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        for (const s of sockets) s.destroy();
      }),
  };
}

async function listen(server: Server, port = 0, host = LOOPBACK): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export interface TlsServerOptions {
  /** PEM of the serving certificate. */
  cert: string;
  /** PEM of its private key. */
  key: string;
  /** PEMs of certificates sent after the leaf (intermediates), in order. */
  chain?: string[];
  /** Ask for a client certificate, as kube-apiserver does (optional, never required). */
  requestCert?: boolean;
  /** The loopback address to listen on (default 127.0.0.1; e.g. 127.0.0.2 or ::1 for a zone of its own). */
  host?: string;
}

/** A TLS server presenting `cert` (+ `chain`). It never answers application data. */
export async function startTlsServer(opts: TlsServerOptions): Promise<TlsEndpoint> {
  const servernames: Array<string | false> = [];
  const connections: SeenConnection[] = [];
  const waiters = new Set<() => void>();
  const server = createTlsServer({
    cert: [opts.cert, ...(opts.chain ?? [])].join('\n'),
    key: opts.key,
    requestCert: opts.requestCert ?? false,
    rejectUnauthorized: false,
    SNICallback: (name, cb) => {
      servernames.push(name);
      cb(null);
    },
  });
  server.on('tlsClientError', () => undefined);
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.servername === false || socket.servername === undefined) servernames.push(false);
    const seen: SeenConnection = {
      servername: socket.servername ?? false,
      clientCertificate: Object.keys(socket.getPeerCertificate()).length > 0,
      bytesReceived: 0,
      closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
    };
    connections.push(seen);
    for (const wake of waiters) wake();
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      seen.bytesReceived += d.length;
    });
  });
  const waitForConnections = (count: number, timeoutMs = 2000): Promise<SeenConnection[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (connections.length < count) return;
        cleanup();
        resolve(connections);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${connections.length} of ${count} TLS connections within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const { close } = tracked(server);
  const host = opts.host ?? LOOPBACK;
  const port = await listen(server, 0, host);
  return { host, port, servernames, connections, waitForConnections, close };
}

/** Accepts TCP connections and never sends a byte (a hung backend: the probe must time out). */
export async function startSilentServer(): Promise<Endpoint> {
  const server = createServer(() => undefined);
  const { close } = tracked(server);
  return { host: LOOPBACK, port: await listen(server), close };
}

/** A raw TCP server for misbehaving backends (drop on first byte, answer an alert, …). */
export async function startTcpServer(onConnection: (socket: Socket) => void): Promise<Endpoint> {
  const server = createServer(onConnection);
  const { close } = tracked(server);
  return { host: LOOPBACK, port: await listen(server), close };
}

/** A plain HTTP server: what a TLS client meets when a listener or port is not TLS at all. */
export async function startHttpServer(): Promise<Endpoint> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  const { close } = tracked(server);
  return { host: LOOPBACK, port: await listen(server), close };
}

/** A port that was bound and released: connecting is refused (assuming nobody grabs it meanwhile). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP proxy in front of `target` that accepts at once, then waits `delayMs` before connecting
 * upstream and piping: latency injected before the TLS handshake starts.
 */
export async function startLatencyProxy(
  target: { host: string; port: number },
  delayMs: number,
): Promise<Endpoint> {
  const upstreams = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((client) => {
    client.pause();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (client.destroyed) return;
      const upstream = createConnection({ host: target.host, port: target.port });
      upstreams.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.once('close', () => {
        upstreams.delete(upstream);
        client.destroy();
      });
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    }, delayMs);
    timers.add(timer);
  });
  const tracker = tracked(server);
  const port = await listen(server);
  return {
    host: LOOPBACK,
    port,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const u of upstreams) u.destroy();
      await tracker.close();
    },
  };
}

/** Collects endpoints so a test file can close them all in afterAll/afterEach. */
export class Endpoints {
  private readonly open: Endpoint[] = [];
  add<T extends Endpoint>(endpoint: T): T {
    this.open.push(endpoint);
    return endpoint;
  }
  async closeAll(): Promise<void> {
    const all = this.open.splice(0);
    await Promise.all(all.map((e) => e.close()));
  }
}
