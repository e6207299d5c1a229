import { X509Certificate } from 'node:crypto';
import { isIP, type LookupFunction, type Socket, connect as tcpConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { connect, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { certificateMessageFromWire } from './wire-chain.ts';

/**
 * One TLS handshake, nothing more: no client certificate, no application data, no judgement of
 * the certificate (Node's own checks are off; verify-chain.ts judges as Go would). The socket is
 * closed as soon as the handshake completes (see closePolitely) and destroyed when it fails; the
 * whole attempt is bounded by timeoutMs.
 *
 * The chain judged is the one the server sent: TLS runs over a TCP socket whose incoming bytes are
 * recorded (bounded), and wire-chain.ts reads the Certificate message from them (TLS 1.3: with
 * the handshake secret of Node's `keylog` event). Only when that fails does the chain come from
 * getPeerCertificate(true), which holds just what OpenSSL could link (`chainSource: 'linked'`).
 */

export type HandshakeFailureCode =
  | 'TLS_CONNECTION_REFUSED'
  | 'TLS_CONNECTION_RESET'
  | 'TLS_TIMEOUT'
  | 'TLS_NOT_TLS'
  | 'TLS_HANDSHAKE_FAILED'
  | 'TLS_UNREACHABLE';

export type HandshakeOutcome =
  | {
      ok: true;
      chain: X509Certificate[];
      /** `wire`: every certificate the server sent, in order; `linked`: what Node's OpenSSL linked. */
      chainSource: 'wire' | 'linked';
      /** Size of the server's Certificate message (wire only): Go refuses one over its limit. */
      certificateMessageBytes?: number;
      tlsVersion: string | undefined;
    }
  | { ok: false; code: HandshakeFailureCode; reason: string };

export interface HandshakeRequest {
  host: string;
  port: number;
  /** SNI; not sent when it is an IP address (as Go does not). */
  servername: string;
  timeoutMs: number;
  /** Name resolution; defaults to the system resolver. */
  lookup?: LookupFunction;
}

const MAX_CHAIN = 10;
/** Bytes of the server's handshake kept for reading the certificates; the rest is not recorded. */
const MAX_RECORDED = 512 * 1024;
const MAX_KEYLOG_LINES = 16;
const CLOSE_GRACE_MS = 1000;
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** OpenSSL's words for "the bytes that came back are not a TLS record". */
const NOT_TLS =
  /wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long|unknown[ _]protocol|http[ _]request|record[ _]layer[ _]failure|bad[ _]record[ _]type|record[ _]too[ _]large|ssl3_get_record|unexpected[ _]record|invalid[ _]record/i;

interface ErrorLike {
  code?: string;
  message?: string;
  reason?: string;
}

/** Sorts a failed handshake into its own finding code. */
export function classifyFailure(
  err: unknown,
  tcpConnected: boolean,
): { code: HandshakeFailureCode; reason: string } {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const code = e.code ?? '';
  const text = `${code}${code ? ': ' : ''}${(e.reason ?? e.message ?? '').trim().split('\n')[0]}`;
  if (code === 'ECONNREFUSED')
    return { code: 'TLS_CONNECTION_REFUSED', reason: `connection refused (${text})` };
  if (RESET.has(code)) {
    const when = tcpConnected ? 'during the TLS handshake' : 'while connecting';
    return { code: 'TLS_CONNECTION_RESET', reason: `connection closed ${when} (${text})` };
  }
  if (code === 'ETIMEDOUT') return { code: 'TLS_TIMEOUT', reason: `connect timed out (${text})` };
  if (UNREACHABLE.has(code)) return { code: 'TLS_UNREACHABLE', reason: `endpoint unreachable (${text})` };
  if (NOT_TLS.test(`${code} ${e.reason ?? ''} ${e.message ?? ''}`)) {
    return { code: 'TLS_NOT_TLS', reason: `the endpoint answered with something that is not TLS (${text})` };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || tcpConnected) {
    return { code: 'TLS_HANDSHAKE_FAILED', reason: `TLS handshake failed (${text})` };
  }
  return { code: 'TLS_UNREACHABLE', reason: `could not connect (${text || 'unknown error'})` };
}

function isDetailed(cert: PeerCertificate | DetailedPeerCertificate): cert is DetailedPeerCertificate {
  return 'issuerCertificate' in cert;
}

/** The presented chain, leaf first; the walk stops at a repeat (self-signed roots point at themselves) or MAX_CHAIN. */
export function peerChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  for (let i = 0; i < MAX_CHAIN && current?.raw && current.raw.length > 0; i++) {
    const cert = new X509Certificate(current.raw);
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(cert);
    const next: DetailedPeerCertificate | undefined = isDetailed(current)
      ? current.issuerCertificate
      : undefined;
    if (!next || next === current) break;
    current = next;
  }
  return chain;
}

/**
 * A TCP socket seen through a Duplex, so that TLS runs over it while every incoming byte (up to
 * MAX_RECORDED) is also kept.
 */
class RecordingSocket extends Duplex {
  readonly received: Buffer[] = [];
  private size = 0;

  constructor(readonly tcp: Socket) {
    super();
    tcp.on('data', (chunk: Buffer) => {
      if (this.size < MAX_RECORDED) {
        this.received.push(chunk);
        this.size += chunk.length;
      }
      if (!this.push(chunk)) tcp.pause();
    });
    tcp.on('end', () => this.push(null));
    tcp.on('close', () => this.destroy());
  }

  override _read(): void {
    this.tcp.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.tcp.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.tcp.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.tcp.destroy();
    callback(error);
  }
}

/** The chain as sent, from the recorded bytes; else what Node linked. */
function presentedChain(
  socket: TLSSocket,
  recorder: RecordingSocket,
  keylog: readonly string[],
): { chain: X509Certificate[]; chainSource: 'wire' | 'linked'; certificateMessageBytes?: number } {
  const wire = certificateMessageFromWire({
    received: Buffer.concat(recorder.received),
    protocol: socket.getProtocol(),
    cipher: socket.getCipher()?.standardName,
    keylog,
  });
  if (wire && wire.certs.length > 0) {
    return {
      chain: wire.certs.map((d) => new X509Certificate(d)),
      chainSource: 'wire',
      certificateMessageBytes: wire.messageBytes,
    };
  }
  return { chain: peerChain(socket), chainSource: 'linked' };
}

/**
 * Ends a completed handshake with close_notify and FIN, so the server sees a finished handshake
 * and a clean close (not "TLS handshake error: EOF" in the apiserver log); destroys the socket if
 * it is not closed within CLOSE_GRACE_MS.
 */
function closePolitely(socket: TLSSocket): void {
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end();
}

export function handshake(req: HandshakeRequest): Promise<HandshakeOutcome> {
  return new Promise<HandshakeOutcome>((resolve) => {
    let tcpConnected = false;
    let settled = false;
    let socket: TLSSocket | undefined;
    let tcp: Socket | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: HandshakeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.ok && socket) {
        socket.once('close', () => tcp?.destroy());
        closePolitely(socket);
      } else {
        socket?.destroy();
        tcp?.destroy();
      }
      resolve(outcome);
    };
    timer = setTimeout(() => {
      const reason = tcpConnected
        ? `TCP connected but no TLS handshake within ${req.timeoutMs} ms`
        : `TCP connect did not complete within ${req.timeoutMs} ms`;
      finish({ ok: false, code: 'TLS_TIMEOUT', reason });
    }, req.timeoutMs);
    const keylog: string[] = [];
    let recorder: RecordingSocket;
    try {
      tcp = tcpConnect({
        host: req.host,
        port: req.port,
        ...(req.lookup ? { lookup: req.lookup } : {}),
      });
      recorder = new RecordingSocket(tcp);
      tcp.on('error', (err) => finish({ ok: false, ...classifyFailure(err, tcpConnected) }));
      tcp.once('connect', () => {
        tcpConnected = true;
      });
      socket = connect({
        socket: recorder,
        ...(isIP(req.servername) === 0 ? { servername: req.servername } : {}),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
      });
    } catch (err) {
      finish({ ok: false, ...classifyFailure(err, false) });
      return;
    }
    socket.on('keylog', (line: Buffer) => {
      if (keylog.length < MAX_KEYLOG_LINES) keylog.push(line.toString('latin1'));
    });
    // Errors after settling (the destroy itself, a late reset) are expected and ignored.
    socket.on('error', (err) => finish({ ok: false, ...classifyFailure(err, tcpConnected) }));
    socket.once('secureConnect', () => {
      if (!socket) return;
      try {
        finish({
          ok: true,
          ...presentedChain(socket, recorder, keylog),
          tlsVersion: socket.getProtocol() ?? undefined,
        });
      } catch (err) {
        finish({
          ok: false,
          code: 'TLS_HANDSHAKE_FAILED',
          reason: `unreadable peer certificate (${String(err)})`,
        });
      }
    });
    socket.once('close', () =>
      finish({
        ok: false,
        code: 'TLS_CONNECTION_RESET',
        reason: 'connection closed before the TLS handshake completed',
      }),
    );
  });
}
