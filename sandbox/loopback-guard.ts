import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { type ConnectTo, parseConnectTo } from '../functions/core/tls/connect-to.ts';

/**
 * The last --connect-to rule of every local run: any host and port not mapped to a stand-in goes
 * to a loopback port that drops the connection. The addresses moto hands out (172.20.x.x) and
 * the load balancers' made-up names are never dialled; a probe of an unmapped one ends as a
 * reset, on this machine.
 */
export interface LoopbackGuard {
  rule: ConnectTo;
  close(): Promise<void>;
}

export async function startLoopbackGuard(): Promise<LoopbackGuard> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    rule: parseConnectTo(`::127.0.0.1:${port}`),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
