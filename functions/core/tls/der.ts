/**
 * A small, strict DER reader, read the way Go's golang.org/x/crypto/cryptobyte reads certificates:
 * one element at a time, on demand (what is never read is never judged), definite lengths in their
 * shortest form, low tag numbers only unless asked, minimal INTEGER and OBJECT IDENTIFIER
 * encodings, BOOLEAN as 0x00 or 0xff, BIT STRING padding bits zero. Every element keeps its
 * encoded bytes (`raw`) and its content (`content`), both views of the input. Nesting depth and the
 * number of elements read from one constructed value are bounded.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

export const CLASS = { universal: 0, application: 1, context: 2, private: 3 } as const;

/** Universal tag numbers the certificate reader uses. */
export const UNIVERSAL = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: 16,
  set: 17,
  numericString: 18,
  printableString: 19,
  t61String: 20,
  ia5String: 22,
  utcTime: 23,
  generalizedTime: 24,
  bmpString: 30,
} as const;

export interface Tag {
  tagClass: number;
  constructed: boolean;
  number: number;
}

export interface DerElement extends Tag {
  /** The whole encoding: identifier, length and content. */
  raw: Buffer;
  content: Buffer;
  /** 0 for an element read from the input itself, 1 for its children, … */
  depth: number;
}

/** Deeper than any certificate structure; a bound, not a limit met in practice. */
export const MAX_DEPTH = 32;
/** Elements read from one constructed value (a SAN list, a name, extensions…). */
export const MAX_ELEMENTS = 10_000;

export const universal = (number: number, constructed = false): Tag => ({
  tagClass: CLASS.universal,
  constructed,
  number,
});
export const SEQUENCE = universal(UNIVERSAL.sequence, true);
export const SET = universal(UNIVERSAL.set, true);
export const context = (number: number, constructed: boolean): Tag => ({
  tagClass: CLASS.context,
  constructed,
  number,
});

export const hasTag = (el: Tag | undefined, tag: Tag): boolean =>
  el !== undefined &&
  el.tagClass === tag.tagClass &&
  el.constructed === tag.constructed &&
  el.number === tag.number;

export interface ReaderOptions {
  /** Accept the high-tag-number form (tag numbers ≥ 31). cryptobyte refuses it; so does the default. */
  highTags?: boolean;
}

/** A cursor over a run of DER elements (the content of a constructed element, or a whole input). */
export class DerReader {
  private offset = 0;
  private count = 0;

  constructor(
    private readonly buf: Buffer,
    private readonly depth = 0,
    private readonly options: ReaderOptions = {},
  ) {
    if (depth > MAX_DEPTH) throw new DerError(`nested deeper than ${MAX_DEPTH} levels`);
  }

  /** A reader of an element's content (its children). */
  static of(el: DerElement, options: ReaderOptions = {}): DerReader {
    return new DerReader(el.content, el.depth + 1, options);
  }

  empty(): boolean {
    return this.offset >= this.buf.length;
  }

  /**
   * The next element's tag, read from its identifier alone (cryptobyte's PeekASN1Tag): the rest of
   * an element is judged only when it is read. Undefined at the end.
   */
  peekTag(): Tag | undefined {
    return this.empty() ? undefined : this.identifierAt(this.offset, true).tag;
  }

  readAny(what = 'element'): DerElement {
    if (this.empty()) throw new DerError(`${what} missing`);
    if (++this.count > MAX_ELEMENTS) throw new DerError(`more than ${MAX_ELEMENTS} elements`);
    const { element, end } = this.parseAt(this.offset);
    this.offset = end;
    return element;
  }

  read(tag: Tag, what: string): DerElement {
    if (!hasTag(this.peekTag(), tag)) throw new DerError(`${what} missing or of another type`);
    return this.readAny(what);
  }

  /** The next element when it has this tag (cryptobyte's ReadOptionalASN1), else undefined. */
  readOptional(tag: Tag, what = 'element'): DerElement | undefined {
    return hasTag(this.peekTag(), tag) ? this.readAny(what) : undefined;
  }

  /** Every remaining element. */
  readAll(what = 'element'): DerElement[] {
    const out: DerElement[] = [];
    while (!this.empty()) out.push(this.readAny(what));
    return out;
  }

  /** Throws when bytes remain. */
  end(what: string): void {
    if (!this.empty()) throw new DerError(`trailing bytes after ${what}`);
  }

  /** The identifier octets; peeking at a refused high-tag form gives a tag that matches none. */
  private identifierAt(start: number, peek = false): { tag: Tag; next: number } {
    const buf = this.buf;
    const first = buf[start] ?? 0;
    const tagClass = first >> 6;
    const constructed = (first & 0x20) !== 0;
    let number = first & 0x1f;
    let at = start + 1;
    if (number === 0x1f) {
      if (!this.options.highTags) {
        if (peek) return { tag: { tagClass, constructed, number: Number.NaN }, next: at };
        throw new DerError('high-tag-number form (cryptobyte reads tag numbers below 31 only)');
      }
      number = 0;
      for (let i = 0; ; i++) {
        const b = buf[at++];
        if (b === undefined) throw new DerError('truncated tag number');
        if (i === 0 && b === 0x80) throw new DerError('tag number not in its shortest form');
        if (i === 3) throw new DerError('tag number too large');
        number = number * 128 + (b & 0x7f);
        if ((b & 0x80) === 0) break;
      }
      if (number < 0x1f) throw new DerError('high-tag-number form for a tag number below 31');
    }
    return { tag: { tagClass, constructed, number }, next: at };
  }

  private parseAt(start: number): { element: DerElement; end: number } {
    const buf = this.buf;
    if (buf.length - start < 2) throw new DerError('truncated element');
    const { tag, next } = this.identifierAt(start);
    let at = next;
    const lenByte = buf[at++];
    if (lenByte === undefined) throw new DerError('truncated length');
    let length = lenByte;
    if (lenByte & 0x80) {
      const lenLen = lenByte & 0x7f;
      if (lenLen === 0) throw new DerError('indefinite length (DER needs a definite one)');
      if (lenLen > 4) throw new DerError('length of more than 4 bytes');
      if (buf.length - at < lenLen) throw new DerError('truncated length');
      if (buf[at] === 0) throw new DerError('length not in its shortest form (leading zero byte)');
      length = 0;
      for (let i = 0; i < lenLen; i++) length = length * 256 + (buf[at + i] ?? 0);
      at += lenLen;
      if (length < 0x80) throw new DerError('long-form length below 128 (DER needs the short form)');
    }
    const end = at + length;
    if (end > buf.length) throw new DerError('truncated content');
    return {
      element: {
        ...tag,
        raw: buf.subarray(start, end),
        content: buf.subarray(at, end),
        depth: this.depth,
      },
      end,
    };
  }
}

/** The one element of `buf`, with nothing after it. */
export function readOne(buf: Buffer, what: string, options: ReaderOptions = {}): DerElement {
  const reader = new DerReader(buf, 0, options);
  const el = reader.readAny(what);
  reader.end(what);
  return el;
}

/** Go's checkASN1Integer: non-empty, no redundant leading 0x00 or 0xff byte. */
function integerBytes(el: DerElement): Buffer {
  const c = el.content;
  if (c.length === 0) throw new DerError('empty INTEGER');
  const [b0 = 0, b1 = 0] = c;
  if (c.length > 1 && ((b0 === 0 && (b1 & 0x80) === 0) || (b0 === 0xff && (b1 & 0x80) !== 0))) {
    throw new DerError('INTEGER not in its shortest form');
  }
  return c;
}

/** An INTEGER's sign and value (two's complement). */
export function integer(el: DerElement): bigint {
  const c = integerBytes(el);
  let value = 0n;
  for (const b of c) value = (value << 8n) | BigInt(b);
  return ((c[0] ?? 0) & 0x80) !== 0 ? value - (1n << BigInt(c.length * 8)) : value;
}

export const integerIsNegative = (el: DerElement): boolean => ((integerBytes(el)[0] ?? 0) & 0x80) !== 0;

/**
 * An INTEGER that fits Go's int64 (cryptobyte's ReadASN1Integer into an int: at most 8 bytes), as a
 * number (exact up to 2^53, which every field read this way stays far below).
 */
export function smallInteger(el: DerElement): number {
  if (integerBytes(el).length > 8) throw new DerError('INTEGER does not fit 64 bits');
  return Number(integer(el));
}

/** cryptobyte's ReadASN1Boolean: one byte, 0x00 or 0xff. */
export function boolean(el: DerElement): boolean {
  if (el.content.length !== 1) throw new DerError('BOOLEAN not one byte');
  if (el.content[0] === 0xff) return true;
  if (el.content[0] === 0) return false;
  throw new DerError('BOOLEAN neither 0x00 nor 0xff');
}

/** cryptobyte's ReadASN1BitString: padding count ≤ 7, padding bits zero, no padding without bits. */
export function bitString(el: DerElement): { bytes: Buffer; unusedBits: number } {
  const c = el.content;
  const unusedBits = c[0];
  if (unusedBits === undefined) throw new DerError('empty BIT STRING');
  const bytes = c.subarray(1);
  const last = bytes[bytes.length - 1];
  if (
    unusedBits > 7 ||
    (last === undefined && unusedBits !== 0) ||
    (last !== undefined && (last & ((1 << unusedBits) - 1)) !== 0)
  ) {
    throw new DerError('malformed BIT STRING padding');
  }
  return { bytes, unusedBits };
}

/** Bit `i` of a BIT STRING, counting from the first byte's most significant bit (asn1.BitString.At). */
export function bitAt(bits: { bytes: Buffer; unusedBits: number }, i: number): boolean {
  if (i < 0 || i >= bits.bytes.length * 8 - bits.unusedBits) return false;
  return (((bits.bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1;
}

export interface OidOptions {
  /**
   * Refuse arcs of 2^31 and more, as cryptobyte's ReadASN1ObjectIdentifier does (Go's x509.OID,
   * used for certificate policies, takes any size).
   */
  smallArcs?: boolean;
}

/** An OBJECT IDENTIFIER as dotted text; every arc in its shortest base-128 form. */
export function oid(el: DerElement, options: OidOptions = {}): string {
  const c = el.content;
  if (c.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let value = 0n;
  let digits = 0;
  for (const b of c) {
    if (digits === 0 && b === 0x80) throw new DerError('OBJECT IDENTIFIER arc not in its shortest form');
    value = (value << 7n) | BigInt(b & 0x7f);
    digits++;
    if ((b & 0x80) === 0) {
      if (options.smallArcs && value >= 1n << 31n) throw new DerError('OBJECT IDENTIFIER arc too large');
      arcs.push(value);
      value = 0n;
      digits = 0;
    }
  }
  if (digits !== 0) throw new DerError('truncated OBJECT IDENTIFIER');
  const [head = 0n, ...rest] = arcs;
  const top = head < 80n ? [head / 40n, head % 40n] : [2n, head - 80n];
  return [...top, ...rest].join('.');
}

/**
 * The first element of `buf`, which must have this tag; bytes after it are not read (cryptobyte
 * reading an extension's value with ReadASN1 and not checking what is left).
 */
export const readFirst = (buf: Buffer, tag: Tag, what: string): DerElement =>
  new DerReader(buf).read(tag, what);
