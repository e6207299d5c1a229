import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server standing in for a Slack incoming webhook: it records what it receives. Its
 * URL is plain `http:` on 127.0.0.1, which the notifier refuses unless it is created with the
 * test-only `allowInsecureLocalSlack` option (the deployed notifier never is).
 */
export interface SlackStandIn {
  url: string;
  received: unknown[];
  close(): Promise<void>;
}

const MAX_BODY = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const received: unknown[] = [];
  const server = createServer(async (req, res) => {
    try {
      received.push(JSON.parse(await readBody(req)));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/rehearsal`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
