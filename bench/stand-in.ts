import { type ConnectTo, parseConnectTo } from '../functions/core/tls/probe.ts';
import { issueServerCert, type TestCa } from '../sandbox/pki.ts';
import { Endpoints, startLatencyProxy, startTlsServer } from '../sandbox/tls-servers.ts';
import { type PhaseClock, startPhaseClock } from './phase-clock.ts';

/**
 * A local TLS server standing in for every load balancer and control-plane instance: a serving
 * certificate from the cluster CA for the node-facing hostnames, optionally behind a latency
 * proxy and a phase clock (in front of everything), reached through one catch-all
 * `--connect-to ::127.0.0.1:PORT` rule.
 */
export interface StandIn {
  connectTo: ConnectTo[];
  /** Where probes connect (the first hop). */
  front: { host: string; port: number };
  /** Present when asked for: clocks the probes' phase from the stand-in's side. */
  clock?: PhaseClock;
  close(): Promise<void>;
}

export async function startStandIn(
  ca: TestCa,
  hostnames: string[],
  latencyMs = 0,
  opts: { clock?: boolean } = {},
): Promise<StandIn> {
  const endpoints = new Endpoints();
  try {
    const cert = await issueServerCert(ca, { dns: hostnames });
    const server = endpoints.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem }));
    const delayed = latencyMs > 0 ? endpoints.add(await startLatencyProxy(server, latencyMs)) : server;
    const clock = opts.clock ? endpoints.add(await startPhaseClock(delayed)) : undefined;
    const front = clock ?? delayed;
    return {
      connectTo: [parseConnectTo(`::${front.host}:${front.port}`)],
      front: { host: front.host, port: front.port },
      ...(clock ? { clock } : {}),
      close: () => endpoints.closeAll(),
    };
  } catch (err) {
    await endpoints.closeAll();
    throw err;
  }
}
