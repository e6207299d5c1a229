import { type ConnectTo, parseConnectTo } from '../functions/core/tls/probe.ts';
import { issueServerCert, type TestCa } from '../sandbox/pki.ts';
import { Endpoints, startLatencyProxy, startTlsServer } from '../sandbox/tls-servers.ts';

/**
 * A local TLS server standing in for every load balancer and control-plane instance: a serving
 * certificate from the cluster CA for the node-facing hostnames, optionally behind a latency
 * proxy, reached through one catch-all `--connect-to ::127.0.0.1:PORT` rule.
 */
export interface StandIn {
  connectTo: ConnectTo[];
  close(): Promise<void>;
}

export async function startStandIn(ca: TestCa, hostnames: string[], latencyMs = 0): Promise<StandIn> {
  const endpoints = new Endpoints();
  try {
    const cert = await issueServerCert(ca, { dns: hostnames });
    const server = endpoints.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem }));
    const front = latencyMs > 0 ? endpoints.add(await startLatencyProxy(server, latencyMs)) : server;
    return {
      connectTo: [parseConnectTo(`::${front.host}:${front.port}`)],
      close: () => endpoints.closeAll(),
    };
  } catch (err) {
    await endpoints.closeAll();
    throw err;
  }
}
