import type { LookupFunction } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CaBundle, parsePemBundle } from '../../../functions/core/ca/bundle.ts';
import { parseKeyset } from '../../../functions/core/ca/keyset.ts';
import {
  type ProbeOptions,
  type ProbeTarget,
  parseConnectTo,
  probeAll,
  probeTls,
  tlsFinding,
} from '../../../functions/core/tls/probe.ts';
import {
  createCa,
  createIntermediateCa,
  days,
  EKU,
  issueServerCert,
  keysetYaml,
  type TestCa,
} from '../../../sandbox/pki.ts';
import {
  closedPort,
  Endpoints,
  LOOPBACK,
  startHttpServer,
  startLatencyProxy,
  startSilentServer,
  startTcpServer,
  startTlsServer,
  type TlsEndpoint,
} from '../../../sandbox/tls-servers.ts';

const API = 'api.internal.k8s.example.com';
const OPTS: ProbeOptions = { timeoutMs: 2000, expiryWarningDays: 30 };
const endpoints = new Endpoints();

let kopsCa: TestCa;
let trust: CaBundle;

const target = (e: { port: number }, resource = 'i-0123456789abcdef0'): ProbeTarget => ({
  resource,
  host: LOOPBACK,
  port: e.port,
  servername: API,
});

async function serve(ca: TestCa, opts: Parameters<typeof issueServerCert>[1] = {}): Promise<TlsEndpoint> {
  const cert = await issueServerCert(ca, { dns: [API, 'kubernetes'], ips: ['127.0.0.1'], ...opts });
  return endpoints.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem, requestCert: true }));
}

beforeAll(async () => {
  kopsCa = await createCa('kubernetes-ca');
  trust = parsePemBundle(kopsCa.certPem, 'test bundle');
});

afterEach(async () => {
  await endpoints.closeAll();
});

afterAll(async () => {
  await endpoints.closeAll();
});

describe('probeTls against real TLS servers', () => {
  it('passes the apiserver certificate from the kops CA and records what was presented', async () => {
    const server = await serve(kopsCa);
    const result = await probeTls(target(server), trust, OPTS);
    expect(result.code).toBe('TLS_OK');
    expect(result.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    expect(result.certificate).toMatchObject({
      subject: 'CN=kubernetes-master',
      issuer: 'CN=kubernetes-ca',
      sans: [`DNS:${API}`, 'DNS:kubernetes', 'IP:127.0.0.1'],
    });
    expect(result.certificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.certificate?.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(Date.parse(result.certificate?.notAfter ?? '')).toBeGreaterThan(Date.now());
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('sends SNI, no client certificate and no application data, and closes after the handshake', async () => {
    const server = await serve(kopsCa);
    await probeTls(target(server), trust, OPTS);
    const [seen, ...more] = await server.waitForConnections(1);
    expect(more).toEqual([]);
    expect(server.servernames).toEqual([API]);
    await seen?.closed;
    expect(seen).toMatchObject({ servername: API, clientCertificate: false, bytesReceived: 0 });
  });

  it('sends no SNI when the API hostname is an IP, and checks it against IP SANs only', async () => {
    const server = await serve(kopsCa, { dns: [API, '127.0.0.2'], ips: ['127.0.0.1'] });
    const byIp = await probeTls({ ...target(server), servername: '127.0.0.1' }, trust, OPTS);
    const byIpInDnsSan = await probeTls({ ...target(server), servername: '127.0.0.2' }, trust, OPTS);
    expect([byIp.code, byIpInDnsSan.code]).toEqual(['TLS_OK', 'TLS_HOSTNAME_MISMATCH']);
    await server.waitForConnections(2);
    expect(server.servernames).toEqual([false, false]);
  });

  it('fails an ACM-like certificate from a foreign CA, naming the issuer and recording the certificate', async () => {
    const amazon = await createIntermediateCa('Amazon RSA 2048 M02', await createCa('Amazon Root CA 1'));
    const cert = await issueServerCert(amazon, {
      commonName: 'api.k8s.example.com',
      dns: ['api.k8s.example.com'],
    });
    const server = endpoints.add(
      await startTlsServer({ cert: cert.certPem, key: cert.keyPem, chain: [amazon.certPem] }),
    );
    const result = await probeTls(target(server), trust, OPTS);
    expect(result.code).toBe('TLS_UNTRUSTED_ISSUER');
    expect(result.reason).toContain('CN=Amazon');
    expect(result.certificate).toMatchObject({
      subject: 'CN=api.k8s.example.com',
      issuer: 'CN=Amazon RSA 2048 M02',
    });
    expect(result.presentedChain).toEqual(['CN=api.k8s.example.com', 'CN=Amazon RSA 2048 M02']);
  });

  it('fails an expired certificate and still records its facts', async () => {
    const notAfter = new Date(Date.now() - days(1));
    const server = await serve(kopsCa, { notBefore: new Date(Date.now() - days(366)), notAfter });
    const result = await probeTls(target(server), trust, OPTS);
    expect(result.code).toBe('TLS_CERT_EXPIRED');
    expect(Date.parse(result.certificate?.notAfter ?? '')).toBe(Math.floor(notAfter.getTime() / 1000) * 1000);
  });

  it('fails a certificate that is not yet valid', async () => {
    const server = await serve(kopsCa, { notBefore: new Date(Date.now() + days(1)) });
    expect((await probeTls(target(server), trust, OPTS)).code).toBe('TLS_CERT_NOT_YET_VALID');
  });

  it('warns about a certificate close to expiry', async () => {
    const server = await serve(kopsCa, { notAfter: new Date(Date.now() + days(5)) });
    expect((await probeTls(target(server), trust, OPTS)).code).toBe('TLS_CERT_EXPIRING');
  });

  it('fails a certificate without the API hostname among its SANs', async () => {
    const server = await serve(kopsCa, { dns: ['api.k8s.example.com'], ips: [] });
    const result = await probeTls(target(server), trust, OPTS);
    expect(result.code).toBe('TLS_HOSTNAME_MISMATCH');
    expect(result.reason).toContain(API);
  });

  it('fails a CN-only certificate (no SAN): no Common Name fallback', async () => {
    const cert = await issueServerCert(kopsCa, { commonName: API });
    const server = endpoints.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem }));
    expect((await probeTls(target(server), trust, OPTS)).code).toBe('TLS_HOSTNAME_MISMATCH');
  });

  it('lets a wildcard cover one label only', async () => {
    const server = await serve(kopsCa, { dns: ['*.k8s.example.com'], ips: [] });
    const oneLabel = await probeTls({ ...target(server), servername: 'api.k8s.example.com' }, trust, OPTS);
    const twoLabels = await probeTls(target(server), trust, OPTS);
    expect(oneLabel.code).toBe('TLS_OK');
    expect(twoLabels.code).toBe('TLS_HOSTNAME_MISMATCH');
  });

  it('fails a certificate whose extended key usage is clientAuth only', async () => {
    const server = await serve(kopsCa, { eku: [EKU.clientAuth] });
    expect((await probeTls(target(server), trust, OPTS)).code).toBe('TLS_NOT_SERVER_AUTH');
  });

  it('follows the intermediate a server sends', async () => {
    const intermediate = await createIntermediateCa('kops-intermediate', kopsCa);
    const cert = await issueServerCert(intermediate, { dns: [API] });
    const withChain = endpoints.add(
      await startTlsServer({ cert: cert.certPem, key: cert.keyPem, chain: [intermediate.certPem] }),
    );
    const withoutChain = endpoints.add(await startTlsServer({ cert: cert.certPem, key: cert.keyPem }));
    const [good, bad] = await probeAll([target(withChain, 'a'), target(withoutChain, 'b')], trust, OPTS);
    expect(good?.code).toBe('TLS_OK');
    expect(good?.presentedChain).toEqual(['CN=kubernetes-master', 'CN=kops-intermediate']);
    expect(bad?.code).toBe('TLS_UNTRUSTED_ISSUER');
  });

  it('CA rotation: trusts old and new keys of the keyset, not a distrusted one', async () => {
    const distrusted = await createCa('kubernetes-ca-2021');
    const old = await createCa('kubernetes-ca-2023');
    const renewed = await createCa('kubernetes-ca-2025');
    const keyset = parseKeyset(
      keysetYaml({
        keys: [
          { id: '6900000000000000001', ca: distrusted, distrustTimestamp: '2024-01-01T00:00:00Z' },
          { id: '7100000000000000002', ca: old },
          { id: '7300000000000000003', ca: renewed },
        ],
      }),
      'keyset',
    );
    const servers = [await serve(renewed), await serve(old), await serve(distrusted)];
    const results = await probeAll(
      servers.map((s, i) => target(s, `cp-${i}`)),
      keyset.bundle,
      OPTS,
    );
    expect(results.map((r) => r.code)).toEqual(['TLS_OK', 'TLS_OK', 'TLS_UNTRUSTED_ISSUER']);
    expect(results[2]?.reason).toContain('CN=kubernetes-ca-2021');
  });
});

describe('probeTls failures of their own', () => {
  it('times out on a backend that accepts TCP and never speaks TLS', async () => {
    const silent = endpoints.add(await startSilentServer());
    const started = Date.now();
    const result = await probeTls(target(silent), trust, { ...OPTS, timeoutMs: 300 });
    const elapsed = Date.now() - started;
    expect(result.code).toBe('TLS_TIMEOUT');
    expect(result.reason).toContain('TCP connected but no TLS handshake within 300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    expect(result.certificate).toBeUndefined();
  });

  it('reports a closed port as refused', async () => {
    const port = await closedPort();
    const result = await probeTls(target({ port }), trust, OPTS);
    expect(result.code).toBe('TLS_CONNECTION_REFUSED');
  });

  it('reports a plain HTTP answer as not TLS', async () => {
    const http = endpoints.add(await startHttpServer());
    const result = await probeTls(target(http), trust, OPTS);
    expect(result.code).toBe('TLS_NOT_TLS');
    expect(result.reason).toContain('not TLS');
  });

  it('reports a backend that drops the connection during the handshake as reset', async () => {
    const dropper = endpoints.add(
      await startTcpServer((socket) => socket.on('data', () => socket.destroy())),
    );
    expect((await probeTls(target(dropper), trust, OPTS)).code).toBe('TLS_CONNECTION_RESET');
  });

  it('reports a TLS alert from the server as a failed handshake', async () => {
    const alerting = endpoints.add(
      await startTcpServer((socket) =>
        socket.on('data', () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]))),
      ),
    );
    const result = await probeTls(target(alerting), trust, OPTS);
    expect(result.code).toBe('TLS_HANDSHAKE_FAILED');
    expect(result.reason).toMatch(/alert/i);
  });

  it('reports a name that does not resolve as unreachable', async () => {
    const lookup: LookupFunction = (hostname, _options, callback) => {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      callback(err, '', 4);
    };
    const result = await probeTls(
      {
        resource: 'lb:api-internal',
        host: 'api-internal-123.elb.eu-west-1.amazonaws.com',
        port: 443,
        servername: API,
      },
      trust,
      { ...OPTS, lookup },
    );
    expect(result.code).toBe('TLS_UNREACHABLE');
    expect(result.reason).toContain('ENOTFOUND');
  });
});

describe('probeAll and --connect-to', () => {
  it('finds and names the one bad backend among three good ones, in parallel', async () => {
    const acmLike = await issueServerCert(await createCa('Amazon RSA 2048 M02'), { dns: [API] });
    const good = [await serve(kopsCa), await serve(kopsCa), await serve(kopsCa)];
    const bad = endpoints.add(await startTlsServer({ cert: acmLike.certPem, key: acmLike.keyPem }));
    const ips = ['10.0.1.10', '10.0.2.10', '10.0.3.10', '10.0.2.77'];
    const backends = [...good, bad];
    const connectTo = backends.map((s, i) => parseConnectTo(`${ips[i]}:443:${LOOPBACK}:${s.port}`));
    const targets = ips.map((ip, i) => ({
      resource: `i-000000000000000${i}`,
      host: ip,
      port: 443,
      servername: API,
    }));

    const results = await probeAll(targets, trust, { ...OPTS, connectTo });
    const failing = results.filter((r) => r.code !== 'TLS_OK');
    expect(failing.map((r) => [r.resource, r.host, r.code])).toEqual([
      ['i-0000000000000003', '10.0.2.77', 'TLS_UNTRUSTED_ISSUER'],
    ]);
    expect(failing[0]?.reason).toContain('CN=Amazon RSA 2048 M02');
    expect(results[3]?.connectedTo).toBe(`${LOOPBACK}:${bad.port}`);
  });

  it('runs probes concurrently: two hung backends cost one timeout, not two', async () => {
    const hung = [endpoints.add(await startSilentServer()), endpoints.add(await startSilentServer())];
    const started = Date.now();
    const results = await probeAll(
      hung.map((h, i) => target(h, `hung-${i}`)),
      trust,
      { ...OPTS, timeoutMs: 400 },
    );
    expect(results.map((r) => r.code)).toEqual(['TLS_TIMEOUT', 'TLS_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(790);
  });

  it('connects where --connect-to says but keeps SNI and the hostname check on the original name', async () => {
    const server = await serve(kopsCa);
    const rule = parseConnectTo(`${API}:443:${LOOPBACK}:${server.port}`);
    const result = await probeTls(
      { resource: 'lb:api-internal', host: API, port: 443, servername: API },
      trust,
      {
        ...OPTS,
        connectTo: [parseConnectTo('other.example.com:443:127.0.0.2:1'), rule],
      },
    );
    expect(result.code).toBe('TLS_OK');
    expect(result.connectedTo).toBe(`${LOOPBACK}:${server.port}`);
    expect(server.servernames).toEqual([API]);
  });

  it('works through injected latency (the benchmark setup)', async () => {
    const server = await serve(kopsCa);
    const proxy = endpoints.add(await startLatencyProxy(server, 120));
    const result = await probeTls(target(proxy), trust, OPTS);
    expect(result.code).toBe('TLS_OK');
    expect(result.durationMs).toBeGreaterThanOrEqual(115);
  });
});

describe('tlsFinding', () => {
  it('builds a critical finding carrying the presented certificate and TLS version', async () => {
    const foreign = await issueServerCert(await createCa('Amazon RSA 2048 M02'), { dns: [API] });
    const server = endpoints.add(await startTlsServer({ cert: foreign.certPem, key: foreign.keyPem }));
    const result = await probeTls(target(server, 'lb:api-internal'), trust, OPTS);
    const f = tlsFinding({ name: 'k8s.example.com' }, result);
    expect(f).toMatchObject({
      code: 'TLS_UNTRUSTED_ISSUER',
      severity: 'critical',
      check: 'tls',
      cluster: 'k8s.example.com',
      resource: 'lb:api-internal',
      action: 'none',
    });
    expect(f.message).toContain('CN=Amazon RSA 2048 M02');
    expect(f.details).toMatchObject({
      endpoint: `${LOOPBACK}:${server.port}`,
      servername: API,
      tlsVersion: result.tlsVersion,
      chainSource: 'wire',
      certificate: { issuer: 'CN=Amazon RSA 2048 M02', fingerprint256: foreign.x509.fingerprint256 },
    });
  });

  it('an ok probe gives an ok finding; a timeout a critical one without certificate', async () => {
    const server = await serve(kopsCa);
    const ok = tlsFinding({ name: 'k8s.example.com' }, await probeTls(target(server), trust, OPTS));
    expect(ok.severity).toBe('ok');
    const silent = endpoints.add(await startSilentServer());
    const timeout = tlsFinding(
      { name: 'k8s.example.com' },
      await probeTls(target(silent), trust, { ...OPTS, timeoutMs: 200 }),
    );
    expect(timeout).toMatchObject({
      code: 'TLS_TIMEOUT',
      severity: 'critical',
      details: { certificate: null },
    });
  });
});
