import { createDecipheriv, createHmac } from 'node:crypto';

/**
 * The certificates a server sent, read from the handshake bytes themselves: every certificate of
 * the Certificate message, in the order sent (Node's getPeerCertificate(true) only returns what
 * OpenSSL could link, and leaves the rest out). TLS 1.2 sends the message in clear; TLS 1.3
 * encrypts it with the server handshake traffic key, derived here from the secret Node reports
 * in its `keylog` event. Every parse is bounded; anything unexpected gives up (undefined) and the
 * caller falls back to what Node linked.
 */

/** Records read: a Certificate message of Go's largest (256 KiB) fits even in small (~600-byte) records. */
const MAX_RECORDS = 512;
const MAX_RECORD = 16_384 + 2048;
/** Go's maxHandshakeCertificateMsg (256 KiB) plus room for ServerHello and the other messages. */
const MAX_HANDSHAKE_BYTES = 256 * 1024 + 32 * 1024;
/** Go has no count limit; the message size bounds it (an entry takes at least 4 bytes). */
const MAX_CERTIFICATES = 65_536;
const CONTENT_CCS = 20;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPLICATION = 23;
const HS_CERTIFICATE = 11;
const TAG_LENGTH = 16;

interface Suite {
  hash: 'sha256' | 'sha384';
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
  keyLength: number;
}

const SUITES: Readonly<Record<string, Suite>> = {
  TLS_AES_128_GCM_SHA256: { hash: 'sha256', cipher: 'aes-128-gcm', keyLength: 16 },
  TLS_AES_256_GCM_SHA384: { hash: 'sha384', cipher: 'aes-256-gcm', keyLength: 32 },
  TLS_CHACHA20_POLY1305_SHA256: { hash: 'sha256', cipher: 'chacha20-poly1305', keyLength: 32 },
};

interface TlsRecord {
  type: number;
  header: Buffer;
  body: Buffer;
}

/** Splits the bytes a server sent into TLS records (bounded); stops at a truncated record. */
export function records(bytes: Buffer): TlsRecord[] {
  const out: TlsRecord[] = [];
  let pos = 0;
  while (pos + 5 <= bytes.length && out.length < MAX_RECORDS) {
    const length = bytes.readUInt16BE(pos + 3);
    if (length > MAX_RECORD || pos + 5 + length > bytes.length) break;
    out.push({
      type: bytes[pos] ?? 0,
      header: bytes.subarray(pos, pos + 5),
      body: bytes.subarray(pos + 5, pos + 5 + length),
    });
    pos += 5 + length;
  }
  return out;
}

/** HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) for an output no longer than one hash block. */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([0]),
  ]);
  return createHmac(hash, secret)
    .update(Buffer.concat([info, Buffer.from([1])]))
    .digest()
    .subarray(0, length);
}

/** Handshake message of `type` from a stream of handshake bytes; undefined if absent or truncated. */
function findMessage(stream: Buffer, type: number): Buffer | undefined {
  let pos = 0;
  for (let n = 0; pos + 4 <= stream.length && n < MAX_RECORDS * 4; n++) {
    const length = stream.readUIntBE(pos + 1, 3);
    if (pos + 4 + length > stream.length) return undefined;
    if (stream[pos] === type) return stream.subarray(pos + 4, pos + 4 + length);
    pos += 4 + length;
  }
  return undefined;
}

/** The certificate list of a Certificate message (TLS 1.2 layout, or TLS 1.3 with context and per-entry extensions). */
export function certificateList(message: Buffer, tls13: boolean): Buffer[] | undefined {
  let pos = 0;
  if (tls13) {
    const context = message[0];
    if (context === undefined) return undefined;
    pos = 1 + context;
  }
  if (pos + 3 > message.length) return undefined;
  const end = pos + 3 + message.readUIntBE(pos, 3);
  if (end > message.length) return undefined;
  pos += 3;
  const certs: Buffer[] = [];
  while (pos < end) {
    if (certs.length >= MAX_CERTIFICATES || pos + 3 > end) return undefined;
    const length = message.readUIntBE(pos, 3);
    pos += 3;
    if (length === 0 || pos + length > end) return undefined;
    certs.push(Buffer.from(message.subarray(pos, pos + length)));
    pos += length;
    if (tls13) {
      if (pos + 2 > end) return undefined;
      pos += 2 + message.readUInt16BE(pos);
    }
  }
  return pos === end ? certs : undefined;
}

function decryptRecord(
  rec: TlsRecord,
  suite: Suite,
  key: Buffer,
  iv: Buffer,
  seq: number,
): Buffer | undefined {
  if (rec.body.length < TAG_LENGTH + 1) return undefined;
  const nonce = Buffer.from(iv);
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigUInt64BE(BigInt(seq));
  for (let i = 0; i < 8; i++) nonce[4 + i] = (nonce[4 + i] ?? 0) ^ (seqBytes[i] ?? 0);
  const cipherText = rec.body.subarray(0, rec.body.length - TAG_LENGTH);
  const tag = rec.body.subarray(rec.body.length - TAG_LENGTH);
  try {
    const decipher =
      suite.cipher === 'chacha20-poly1305'
        ? createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_LENGTH })
        : createDecipheriv(suite.cipher, key, nonce, { authTagLength: TAG_LENGTH });
    decipher.setAAD(rec.header, { plaintextLength: cipherText.length });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    return undefined;
  }
}

export interface WireInput {
  /** Every byte the server sent, in order, until the handshake completed. */
  received: Buffer;
  /** `socket.getProtocol()`. */
  protocol: string | null | undefined;
  /** `socket.getCipher().standardName`. */
  cipher: string | undefined;
  /** Node's `keylog` lines (NSS key-log format). */
  keylog: readonly string[];
}

/** The certificates of a Certificate message, and the size of the message body (what Go's limit applies to). */
export interface WireCertificates {
  certs: Buffer[];
  messageBytes: number;
}

function fromMessage(message: Buffer | undefined, tls13: boolean): WireCertificates | undefined {
  const certs = message ? certificateList(message, tls13) : undefined;
  return message && certs ? { certs, messageBytes: message.length } : undefined;
}

function tls12Certificates(recs: readonly TlsRecord[]): WireCertificates | undefined {
  const parts: Buffer[] = [];
  let size = 0;
  for (const rec of recs) {
    if (rec.type === CONTENT_CCS) break;
    if (rec.type !== CONTENT_HANDSHAKE) continue;
    size += rec.body.length;
    if (size > MAX_HANDSHAKE_BYTES) return undefined;
    parts.push(rec.body);
  }
  return fromMessage(findMessage(Buffer.concat(parts), HS_CERTIFICATE), false);
}

function tls13Certificates(recs: readonly TlsRecord[], input: WireInput): WireCertificates | undefined {
  const suite = input.cipher ? SUITES[input.cipher] : undefined;
  const line = input.keylog.find((l) => l.startsWith('SERVER_HANDSHAKE_TRAFFIC_SECRET '));
  const secretHex = line?.trim().split(' ')[2];
  if (!suite || !secretHex || !/^[0-9a-f]+$/i.test(secretHex)) return undefined;
  const secret = Buffer.from(secretHex, 'hex');
  const key = hkdfExpandLabel(suite.hash, secret, 'key', suite.keyLength);
  const iv = hkdfExpandLabel(suite.hash, secret, 'iv', 12);
  const parts: Buffer[] = [];
  let size = 0;
  let seq = 0;
  for (const rec of recs) {
    if (rec.type !== CONTENT_APPLICATION) continue;
    const plain = decryptRecord(rec, suite, key, iv, seq++);
    if (!plain) return undefined;
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    if (end === 0) return undefined;
    if (plain[end - 1] !== CONTENT_HANDSHAKE) return undefined;
    size += end - 1;
    if (size > MAX_HANDSHAKE_BYTES) return undefined;
    parts.push(plain.subarray(0, end - 1));
    const message = findMessage(Buffer.concat(parts), HS_CERTIFICATE);
    if (message) return fromMessage(message, true);
  }
  return undefined;
}

/** DER of every certificate the server sent, in order; undefined when it cannot be read faithfully. */
export function certificatesFromWire(input: WireInput): Buffer[] | undefined {
  return certificateMessageFromWire(input)?.certs;
}

/** The certificates the server sent and the size of its Certificate message; undefined when unreadable. */
export function certificateMessageFromWire(input: WireInput): WireCertificates | undefined {
  const recs = records(input.received);
  if (input.protocol === 'TLSv1.3') return tls13Certificates(recs, input);
  if (input.protocol === 'TLSv1.2' || input.protocol === 'TLSv1.1' || input.protocol === 'TLSv1') {
    return tls12Certificates(recs);
  }
  return undefined;
}
