import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createTcpServer } from 'node:net';

/**
 * A loopback HTTP proxy in front of moto that answers a share of AWS calls with throttling (400)
 * or server errors (500) in each service's own error format, so the SDK's retry logic sees what
 * it would see from AWS. Faulted requests never reach moto. Every attempt is recorded with the
 * SDK's invocation id, so tests count attempts per call instead of timing them.
 */
export interface Faults {
  /** Share of attempts answered with a throttling error (0–1). */
  throttle: number;
  /** Share of attempts answered with a 500 (0–1). */
  error: number;
}

export interface Attempt {
  service: string;
  /** `amz-sdk-invocation-id`: the same for every attempt of one SDK call. */
  invocation: string;
  /** The attempt number the SDK put in `amz-sdk-request`. */
  attempt: number;
  outcome: 'forwarded' | 'throttled' | 'failed';
}

export interface FaultProxy {
  endpoint: string;
  faults: Faults;
  readonly attempts: Attempt[];
  /** Attempts per SDK call, keyed by invocation id. */
  attemptsPerCall(since?: number): Map<string, number>;
  close(): Promise<void>;
}

/** A small seeded generator (mulberry32): the same seed injects the same faults. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The signing name from the SigV4 credential scope: `Credential=AKID/date/region/<service>/aws4_request`. */
function serviceOf(req: IncomingMessage): string {
  const match = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return match?.[1] ?? 'unknown';
}

interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An error in the protocol the request used: JSON (`__type`) for the JSON protocols (DynamoDB,
 * SQS, EventBridge, Secrets Manager, SSM), EC2's own XML, and the query protocol's XML otherwise
 * (Auto Scaling, ELB, ELBv2, SNS).
 */
function errorAnswer(req: IncomingMessage, kind: 'throttled' | 'failed'): ErrorAnswer {
  const status = kind === 'throttled' ? 400 : 500;
  const requestId = randomUUID();
  const contentType = String(req.headers['content-type'] ?? '');
  const service = serviceOf(req);
  if (contentType.includes('json')) {
    const type = kind === 'throttled' ? 'ThrottlingException' : 'InternalFailure';
    return {
      status,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId,
        // SQS's JSON protocol carries the query-era code here too
        'x-amzn-query-error': `${kind === 'throttled' ? 'ThrottlingException' : 'InternalFailure'};${kind === 'throttled' ? 'Sender' : 'Receiver'}`,
      },
      body: JSON.stringify({ __type: type, message: 'injected by the fault proxy' }),
    };
  }
  if (service === 'ec2') {
    const code = kind === 'throttled' ? 'RequestLimitExceeded' : 'InternalError';
    return {
      status,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>injected by the fault proxy</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    };
  }
  const code = kind === 'throttled' ? 'Throttling' : 'InternalFailure';
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse><Error><Type>${kind === 'throttled' ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>injected by the fault proxy</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startFaultProxy(
  target: string,
  options: { seed?: number; faults?: Faults } = {},
): Promise<FaultProxy> {
  const random = seeded(options.seed ?? 1);
  const upstream = new URL(target);
  const attempts: Attempt[] = [];
  const proxy = {
    faults: options.faults ?? { throttle: 0, error: 0 },
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const roll = random();
      const outcome: Attempt['outcome'] =
        roll < proxy.faults.throttle
          ? 'throttled'
          : roll < proxy.faults.throttle + proxy.faults.error
            ? 'failed'
            : 'forwarded';
      attempts.push({
        service: serviceOf(req),
        invocation: String(req.headers['amz-sdk-invocation-id'] ?? randomUUID()),
        attempt: Number(/attempt=(\d+)/.exec(String(req.headers['amz-sdk-request'] ?? ''))?.[1] ?? 1),
        outcome,
      });
      if (outcome !== 'forwarded') {
        const answer = errorAnswer(req, outcome);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: upstream failed: ${err.message}`);
      });
      out.end(Buffer.concat(chunks));
    });
  };
  const server = createServer(handle);
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get faults() {
      return proxy.faults;
    },
    set faults(f: Faults) {
      proxy.faults = f;
    },
    attempts,
    attemptsPerCall(since = 0) {
      const out = new Map<string, number>();
      for (const a of attempts.slice(since)) out.set(a.invocation, (out.get(a.invocation) ?? 0) + 1);
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback endpoint that accepts connections and never answers: a blackholed AWS endpoint. */
export interface Blackhole {
  endpoint: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('data', () => {
      // read and ignore: the request is taken in and never answered
    });
    socket.on('error', () => sockets.delete(socket));
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
