import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childrenOf, decodeOid, decodeString, decodeTime, expectTlv, readTlv, TAG } from '../../../certs/der.js';
import { MalformedCertificateError } from '../../../certs/errors.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const tlv = (tag: number, contents: Uint8Array) => {
  const length =
    contents.length < 0x80
      ? [contents.length]
      : contents.length < 0x100
        ? [0x81, contents.length]
        : [0x82, contents.length >> 8, contents.length & 0xff];
  return new Uint8Array([tag, ...length, ...contents]);
};

/** An independent OID encoder, to check the decoder against. */
function encodeOid(arcs: number[]): Uint8Array {
  const out: number[] = [];
  const [first = 0, second = 0, ...rest] = arcs;
  for (const arc of [first * 40 + second, ...rest]) {
    const groups = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128))
      groups.unshift((value & 0x7f) | 0x80);
    out.push(...groups);
  }
  return new Uint8Array(out);
}

describe('readTlv', () => {
  it('reads short and long definite lengths', () => {
    expect(readTlv(bytes(0x04, 0x02, 0xaa, 0xbb), 0)).toEqual({ tag: 0x04, start: 0, contentStart: 2, end: 4 });
    const long = tlv(0x04, new Uint8Array(300));
    expect(readTlv(long, 0)).toEqual({ tag: 0x04, start: 0, contentStart: 4, end: 304 });
  });

  it.each([
    ['an empty buffer', bytes()],
    ['a lone tag', bytes(0x30)],
    ['contents past the end', bytes(0x30, 0x05, 0x01)],
    ['a truncated long length', bytes(0x30, 0x82, 0x01)],
    ['an indefinite length', bytes(0x30, 0x80, 0x00, 0x00)],
    ['a five-byte length', bytes(0x30, 0x85, 1, 1, 1, 1, 1)],
    ['a multi-byte tag', bytes(0x1f, 0x81, 0x01, 0x00)],
  ])('refuses %s', (_, input) => {
    expect(() => readTlv(input, 0)).toThrow(MalformedCertificateError);
  });

  it('keeps children inside their parent', () => {
    const parent = bytes(0x30, 0x03, 0x02, 0x05, 0x00);
    expect(() => childrenOf(parent, readTlv(parent, 0))).toThrow(/truncated/);
    expect(() => expectTlv(bytes(0x02, 0x00), 0, TAG.sequence)).toThrow(/expected 0x30/);
  });

  it('never throws anything but MalformedCertificateError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(70), (input, offset) => {
        try {
          const element = readTlv(input, offset);
          expect(element.end).toBeLessThanOrEqual(input.length);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedCertificateError);
        }
      }),
    );
  });
});

describe('decodeOid', () => {
  it('decodes well-known identifiers', () => {
    expect(decodeOid(bytes(0x55, 0x04, 0x03))).toBe('2.5.4.3');
    expect(decodeOid(bytes(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b))).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(bytes(0x88, 0x37, 0x01))).toBe('2.999.1');
  });

  it('refuses empty, truncated and absurdly long arcs', () => {
    expect(() => decodeOid(bytes())).toThrow(MalformedCertificateError);
    expect(() => decodeOid(bytes(0x55, 0x84))).toThrow(/truncated/);
    expect(() => decodeOid(new Uint8Array(12).fill(0xff))).toThrow(/too large/);
  });

  it('inverts an independent encoder for any identifier', () => {
    const arcs = fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 39 }),
      fc.array(fc.nat(2 ** 31), { maxLength: 8 }),
    );
    fc.assert(
      fc.property(arcs, ([first, second, rest]) => {
        const oid = [first, second, ...rest];
        expect(decodeOid(encodeOid(oid))).toBe(oid.join('.'));
      }),
    );
  });
});

describe('decodeString', () => {
  const decode = (tag: number, contents: Uint8Array) => {
    const element = tlv(tag, contents);
    return decodeString(element, readTlv(element, 0));
  };

  it('decodes every directory string type X.509 names use', () => {
    expect(decode(TAG.utf8String, Buffer.from('Zürich ✓', 'utf8'))).toBe('Zürich ✓');
    expect(decode(TAG.printableString, Buffer.from('Acme Ltd'))).toBe('Acme Ltd');
    expect(decode(TAG.bmpString, bytes(0x00, 0x41, 0x04, 0x16))).toBe('AЖ');
    expect(decode(TAG.universalString, bytes(0, 0, 0, 0x41, 0, 0x01, 0xf6, 0x00, 0x7f, 0, 0, 0))).toBe('A😀\ufffd');
    expect(decode(TAG.ia5String, Buffer.from('a@b.c'))).toBe('a@b.c');
  });

  it('refuses a non-string element', () => {
    expect(() => decode(TAG.integer, bytes(1))).toThrow(/unsupported tag/);
  });

  it('round-trips any UTF-8 text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        expect(decode(TAG.utf8String, Buffer.from(text, 'utf8'))).toBe(text);
      }),
    );
  });
});

describe('decodeTime', () => {
  const decode = (tag: number, text: string) => {
    const element = tlv(tag, Buffer.from(text, 'latin1'));
    return decodeTime(element, readTlv(element, 0));
  };

  it('reads UTCTime with RFC 5280 century rules and GeneralizedTime', () => {
    expect(decode(TAG.utcTime, '490101000000Z').toISOString()).toBe('2049-01-01T00:00:00.000Z');
    expect(decode(TAG.utcTime, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(decode(TAG.utcTime, '2602281230Z').toISOString()).toBe('2026-02-28T12:30:00.000Z');
    expect(decode(TAG.generalizedTime, '20991231235959Z').toISOString()).toBe('2099-12-31T23:59:59.000Z');
    expect(decode(TAG.generalizedTime, '20500101000000.5Z').toISOString()).toBe('2050-01-01T00:00:00.000Z');
  });

  it.each([
    [TAG.utcTime, '260101000000'],
    [TAG.utcTime, '261301000000Z'],
    [TAG.utcTime, '260230000000Z'],
    [TAG.utcTime, '260101250000Z'],
    [TAG.generalizedTime, '2026010100000Z'],
    [TAG.integer, '260101000000Z'],
  ])('refuses tag 0x%s "%s"', (tag, text) => {
    expect(() => decode(tag, text)).toThrow(MalformedCertificateError);
  });

  it('reads back any instant written as GeneralizedTime', () => {
    const instants = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instants, (instant) => {
        const whole = new Date(Math.floor(instant.getTime() / 1000) * 1000);
        const text = whole.toISOString().replace(/[-:T]/g, '').replace('.000', '');
        expect(decode(TAG.generalizedTime, text).getTime()).toBe(whole.getTime());
      }),
    );
  });
});
