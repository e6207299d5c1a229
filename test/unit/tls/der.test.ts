import { describe, expect, it } from 'vitest';
import {
  bitAt,
  bitString,
  boolean,
  CLASS,
  context,
  DerError,
  DerReader,
  integer,
  MAX_DEPTH,
  oid,
  readFirst,
  readOne,
  SEQUENCE,
  smallInteger,
  UNIVERSAL,
  universal,
} from '../../../functions/core/tls/der.ts';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

/** A DER element with the shortest length (test-side encoder). */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? b(n) : n < 0x100 ? b(0x81, n) : b(0x82, n >> 8, n & 0xff);
  return Buffer.concat([b(tag), len, content]);
}

const refused = (read: () => unknown, why: RegExp): void => {
  expect(read).toThrow(DerError);
  expect(read).toThrow(why);
};

describe('DerReader: well-formed DER', () => {
  it('reads tag class, constructed bit, number, content and raw bytes of nested elements', () => {
    const inner = tlv(0x02, b(0x05));
    const ctx = tlv(0xa3, inner);
    const seq = tlv(0x30, Buffer.concat([ctx, tlv(0x81, b(1, 2))]));
    const top = readOne(seq, 'test');
    expect(top).toMatchObject({ tagClass: CLASS.universal, constructed: true, number: 16, depth: 0 });
    expect(top.raw.equals(seq)).toBe(true);
    const r = DerReader.of(top);
    const first = r.read(context(3, true), 'explicit');
    expect(first.raw.equals(ctx)).toBe(true);
    expect(first.depth).toBe(1);
    expect(smallInteger(DerReader.of(first).read(universal(UNIVERSAL.integer), 'int'))).toBe(5);
    const second = r.readAny();
    expect(second).toMatchObject({ tagClass: CLASS.context, constructed: false, number: 1 });
    expect([...second.content]).toEqual([1, 2]);
    expect(r.empty()).toBe(true);
  });

  it('reads long-form lengths of 128 bytes and more', () => {
    const content = Buffer.alloc(300, 7);
    const el = readOne(tlv(0x04, content), 'octets');
    expect(el.content.length).toBe(300);
    expect(readOne(hex(`0481 80 ${'00'.repeat(128)}`), 'octets').content.length).toBe(128);
  });

  it('peeks at a tag without judging the rest, and reads optional elements by tag', () => {
    const r = new DerReader(b(0x01, 0x01, 0xff, 0x02, 0x01, 0x03));
    expect(r.readOptional(universal(UNIVERSAL.integer))).toBeUndefined();
    expect(boolean(r.read(universal(UNIVERSAL.boolean), 'flag'))).toBe(true);
    expect(r.peekTag()).toEqual(universal(UNIVERSAL.integer));
    expect(r.readAll()).toHaveLength(1);
    expect(r.peekTag()).toBeUndefined();
    // the second element's length is truncated, but a peek at its tag does not read it
    const lazy = new DerReader(b(0x05, 0x00, 0x30, 0x05, 0x00));
    lazy.readAny();
    expect(lazy.peekTag()).toEqual(SEQUENCE);
    refused(() => lazy.readAny(), /truncated content/);
  });

  it('reads the first element and leaves what follows unread (readFirst)', () => {
    expect(readFirst(b(0x30, 0x00, 0xff, 0xff), SEQUENCE, 'list').raw.length).toBe(2);
    refused(() => readFirst(b(0x31, 0x00), SEQUENCE, 'list'), /list missing or of another type/);
  });
});

describe('DerReader: what DER and cryptobyte refuse', () => {
  it('refuses a long-form length below 128 (the short form was due)', () => {
    refused(() => readOne(hex('0481 05 0102030405'), 'octets'), /long-form length below 128/);
  });

  it('refuses a length with a leading zero byte', () => {
    refused(() => readOne(hex(`0482 0080 ${'00'.repeat(128)}`), 'octets'), /shortest form/);
  });

  it('refuses the indefinite length', () => {
    refused(() => readOne(hex('3080 020101 0000'), 'seq'), /indefinite length/);
  });

  it('refuses lengths of more than 4 bytes', () => {
    refused(() => readOne(hex('0485 0000000001 00'), 'octets'), /more than 4 bytes/);
  });

  it('refuses truncated elements: no length, short length bytes, short content', () => {
    refused(() => readOne(b(0x30), 'seq'), /truncated element/);
    refused(() => readOne(hex('0482 01'), 'octets'), /truncated length/);
    refused(() => readOne(hex('0405 010203'), 'octets'), /truncated content/);
    refused(() => new DerReader(Buffer.alloc(0)).readAny('x'), /x missing/);
  });

  it('refuses trailing bytes after the one element of readOne', () => {
    refused(() => readOne(hex('0500 00'), 'null'), /trailing bytes after null/);
  });

  it('refuses the high-tag-number form unless asked, and then reads it strictly', () => {
    refused(() => readOne(hex('9f1f 01 78'), 'entry'), /high-tag-number form/);
    const el = readOne(hex('bf8140 00'), 'entry', { highTags: true });
    expect(el).toMatchObject({ tagClass: CLASS.context, constructed: true, number: 192 });
    expect(readOne(hex('9f1f 00'), 'entry', { highTags: true }).number).toBe(31);
    refused(
      () => readOne(hex('9f8001 00'), 'entry', { highTags: true }),
      /tag number not in its shortest form/,
    );
    refused(() => readOne(hex('9f05 00'), 'entry', { highTags: true }), /below 31/);
    refused(() => readOne(hex('9f818181 01 00'), 'entry', { highTags: true }), /tag number too large/);
    // a peek at a refused high tag matches no tag (cryptobyte's PeekASN1Tag), it does not throw
    expect(new DerReader(hex('9f1f 01 78')).readOptional(context(31, false))).toBeUndefined();
  });

  it('bounds nesting depth', () => {
    let nested = b(0x05, 0x00);
    for (let i = 0; i < MAX_DEPTH + 2; i++) nested = tlv(0x30, nested);
    let el = readOne(nested, 'nest');
    refused(() => {
      for (let i = 0; i < MAX_DEPTH + 2; i++) el = DerReader.of(el).read(SEQUENCE, 'level');
    }, /nested deeper than 32 levels/);
    expect(el.depth).toBe(MAX_DEPTH);
  });

  it('bounds the count of elements read from one value', () => {
    const many = tlv(0x30, Buffer.alloc(2 * 10_001, 0).fill(Buffer.from([0x05, 0x00])));
    refused(() => DerReader.of(readOne(many, 'many')).readAll(), /more than 10000 elements/);
  });
});

describe('DER primitives', () => {
  const int = (text: string) => readOne(hex(text), 'int');

  it('INTEGER: sign and value; minimal encodings only', () => {
    expect(integer(int('020100'))).toBe(0n);
    expect(integer(int('02020080'))).toBe(128n);
    expect(integer(int('0201ff'))).toBe(-1n);
    expect(integer(int('02021000'))).toBe(4096n);
    expect(smallInteger(int('0208 7fffffffffffffff'))).toBe(2 ** 63);
    refused(() => integer(int('0200')), /empty INTEGER/);
    refused(() => integer(int('02020005')), /shortest form/);
    refused(() => integer(int('0202ff80')), /shortest form/);
    refused(() => smallInteger(int('0209 010000000000000000')), /64 bits/);
  });

  it('BOOLEAN: one byte, 0x00 or 0xff', () => {
    expect(boolean(int('010100'))).toBe(false);
    expect(boolean(int('0101ff'))).toBe(true);
    refused(() => boolean(int('010101')), /neither 0x00 nor 0xff/);
    refused(() => boolean(int('0102ffff')), /not one byte/);
  });

  it('BIT STRING: padding count and zero padding bits, named bits from the most significant', () => {
    const bits = bitString(int('03020580'));
    expect(bitAt(bits, 0)).toBe(true);
    expect(bitAt(bits, 1)).toBe(false);
    expect(bitAt(bits, 3)).toBe(false);
    expect(bitAt(bits, 9)).toBe(false);
    expect(bitString(int('030100')).bytes.length).toBe(0);
    refused(() => bitString(int('0300')), /empty BIT STRING/);
    refused(() => bitString(int('030108')), /padding/);
    refused(() => bitString(int('030101')), /padding/);
    refused(() => bitString(int('030203a1')), /padding/);
  });

  it('OBJECT IDENTIFIER: dotted text, shortest arcs, optional 31-bit bound', () => {
    expect(oid(int('0603551d13'))).toBe('2.5.29.19');
    expect(oid(int('06092a864886f70d01010b'))).toBe('1.2.840.113549.1.1.11');
    expect(oid(int('0603883703'))).toBe('2.999.3');
    const big = int('0606 2b 8f ff ff ff 7f');
    expect(oid(big)).toBe('1.3.4294967295');
    refused(() => oid(big, { smallArcs: true }), /arc too large/);
    refused(() => oid(int('0600')), /empty OBJECT IDENTIFIER/);
    refused(() => oid(int('0603 2b 8001')), /shortest form/);
    refused(() => oid(int('0602 2b 81')), /truncated OBJECT IDENTIFIER/);
  });
});
