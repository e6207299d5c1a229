import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type TlsOptions } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { handshake, peerChain } from '../../../functions/core/tls/handshake.ts';
import {
  certificateList,
  certificatesFromWire,
  hkdfExpandLabel,
  records,
} from '../../../functions/core/tls/wire-chain.ts';
import { makeCa, makeCert } from '../../../sandbox/x509-lab.ts';

const API = 'api.internal.k8s.example.com';
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function serve(opts: TlsOptions): Promise<number> {
  const server = createServer(opts);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

const u24 = (n: number): Buffer => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

describe('hkdfExpandLabel', () => {
  it('derives the server handshake key and iv of RFC 8448 (simple 1-RTT handshake)', () => {
    const secret = Buffer.from('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38', 'hex');
    expect(hkdfExpandLabel('sha256', secret, 'key', 16).toString('hex')).toBe(
      '3fce516009c21727d0f2e4e86ee403bc',
    );
    expect(hkdfExpandLabel('sha256', secret, 'iv', 12).toString('hex')).toBe('5d313eb2671276ee13000b30');
  });
});

describe('certificateList', () => {
  const a = Buffer.from('3003020101', 'hex');
  const b = Buffer.from('300402020102', 'hex');

  it('reads every entry of a TLS 1.2 Certificate message, in order', () => {
    const list = Buffer.concat([u24(a.length), a, u24(b.length), b]);
    const message = Buffer.concat([u24(list.length), list]);
    expect(certificateList(message, false)).toEqual([a, b]);
  });

  it('reads a TLS 1.3 message: request context, then entries with extensions', () => {
    const list = Buffer.concat([
      u24(a.length),
      a,
      Buffer.from([0, 0]),
      u24(b.length),
      b,
      Buffer.from([0, 1, 9]),
    ]);
    const message = Buffer.concat([Buffer.from([0]), u24(list.length), list]);
    expect(certificateList(message, true)).toEqual([a, b]);
  });

  it('gives up on lengths that overrun the message', () => {
    const list = Buffer.concat([u24(a.length + 50), a]);
    expect(certificateList(Buffer.concat([u24(list.length), list]), false)).toBeUndefined();
    expect(certificateList(Buffer.concat([u24(1000), list]), false)).toBeUndefined();
    expect(certificateList(Buffer.alloc(0), true)).toBeUndefined();
  });
});

describe('records', () => {
  it('stops at a truncated or oversized record', () => {
    const rec = Buffer.from([22, 3, 3, 0, 2, 1, 2]);
    expect(records(Buffer.concat([rec, rec.subarray(0, 6)]))).toHaveLength(1);
    expect(records(Buffer.from([22, 3, 3, 0xff, 0xff, 0]))).toHaveLength(0);
  });
});

describe('handshake: the chain as the server sent it', () => {
  const root = makeCa('kubernetes-ca');
  const mid = makeCa('kops-intermediate', { issuer: root });
  // A leaf whose authority key identifier does not match the intermediate's: OpenSSL does not link them, Go does.
  const leaf = makeCert({
    subject: { cn: 'kubernetes-master' },
    issuer: mid,
    ca: false,
    dns: [API],
    aki: Buffer.alloc(20, 7),
  });
  const stranger = makeCa('stranger');
  const chain = [leaf, stranger, mid].map((c) => c.certPem.trim()).join('\n');

  for (const [label, opts] of [
    ['TLS 1.3, AES-128-GCM', { ciphersuites: 'TLS_AES_128_GCM_SHA256' }],
    ['TLS 1.3, AES-256-GCM', { ciphersuites: 'TLS_AES_256_GCM_SHA384' }],
    ['TLS 1.3, ChaCha20-Poly1305', { ciphersuites: 'TLS_CHACHA20_POLY1305_SHA256' }],
    ['TLS 1.2', { maxVersion: 'TLSv1.2' }],
  ] as const) {
    it(`${label}: every certificate, in the order sent, including one OpenSSL cannot link`, async () => {
      const port = await serve({ key: leaf.keyPem, cert: chain, ...opts });
      const outcome = await handshake({ host: '127.0.0.1', port, servername: API, timeoutMs: 5000 });
      expect(outcome.ok).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.chainSource).toBe('wire');
      expect(outcome.chain.map((c) => c.subject)).toEqual([
        'CN=kubernetes-master',
        'CN=stranger',
        'CN=kops-intermediate',
      ]);
    });
  }

  it('after a HelloRetryRequest (the server wants another key share)', async () => {
    const port = await serve({ key: leaf.keyPem, cert: chain, ecdhCurve: 'P-384' });
    const outcome = await handshake({ host: '127.0.0.1', port, servername: API, timeoutMs: 5000 });
    expect(outcome.ok && outcome.chainSource).toBe('wire');
    expect(outcome.ok && outcome.chain).toHaveLength(3);
  });

  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`${maxVersion}: a Certificate message spread over several records`, async () => {
      const many = Array.from({ length: 40 }, (_, i) =>
        makeCa(`extra-${i}`, { dns: [`padding-${i}.example`] }),
      );
      const big = [leaf, ...many, mid].map((c) => c.certPem.trim()).join('\n');
      const port = await serve({ key: leaf.keyPem, cert: big, maxVersion });
      const outcome = await handshake({ host: '127.0.0.1', port, servername: API, timeoutMs: 5000 });
      expect(outcome.ok && outcome.chainSource).toBe('wire');
      expect(outcome.ok && outcome.chain.map((c) => c.subject).at(-1)).toBe('CN=kops-intermediate');
      expect(outcome.ok && outcome.chain).toHaveLength(42);
    });
  }

  it("Node's linked chain leaves that intermediate out (what the wire reading fixes)", async () => {
    const port = await serve({ key: leaf.keyPem, cert: chain });
    const linked = await new Promise<string[]>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: API, rejectUnauthorized: false });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        resolve(peerChain(socket).map((c) => c.subject));
        socket.destroy();
      });
    });
    expect(linked).toEqual(['CN=kubernetes-master']);
  });

  it('gives up (so the caller falls back) on records it cannot decrypt or a version it does not know', async () => {
    const port = await serve({ key: leaf.keyPem, cert: chain });
    const outcome = await handshake({ host: '127.0.0.1', port, servername: API, timeoutMs: 5000 });
    expect(outcome.ok && outcome.chainSource).toBe('wire');
    expect(
      certificatesFromWire({
        received: Buffer.from([23, 3, 3, 0, 20, ...Buffer.alloc(20)]),
        protocol: 'TLSv1.3',
        cipher: 'TLS_AES_128_GCM_SHA256',
        keylog: [`SERVER_HANDSHAKE_TRAFFIC_SECRET ${'00'.repeat(32)} ${'11'.repeat(32)}\n`],
      }),
    ).toBeUndefined();
    expect(
      certificatesFromWire({ received: Buffer.alloc(0), protocol: 'TLSv1.3', cipher: undefined, keylog: [] }),
    ).toBeUndefined();
    expect(
      certificatesFromWire({ received: Buffer.alloc(0), protocol: 'SSLv3', cipher: undefined, keylog: [] }),
    ).toBeUndefined();
  });
});
