import { MalformedCertificateError } from './errors.js';

/** One DER element: where its contents start and end inside the buffer it was read from. */
export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first contents byte. */
  contentStart: number;
  /** Offset just past the last contents byte. */
  end: number;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/**
 * Reads the DER element at `offset`, which must end by `limit`. Only what X.509 uses: single-byte tags and
 * definite lengths of at most four bytes. Throws MalformedCertificateError on anything else.
 */
export function readTlv(bytes: Uint8Array, offset: number, limit: number = bytes.length): Tlv {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined || offset + 2 > limit)
    throw new MalformedCertificateError('DER is truncated');
  if ((tag & 0x1f) === 0x1f) throw new MalformedCertificateError('DER uses a multi-byte tag');
  let length = first;
  let contentStart = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new MalformedCertificateError('DER uses an unsupported length encoding');
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = bytes[contentStart + i];
      if (byte === undefined) throw new MalformedCertificateError('DER is truncated');
      length = length * 256 + byte;
    }
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new MalformedCertificateError('DER is truncated');
  return { tag, start: offset, contentStart, end };
}

/** Reads an element and checks its tag. */
export function expectTlv(bytes: Uint8Array, offset: number, tag: number, limit?: number): Tlv {
  const tlv = readTlv(bytes, offset, limit);
  if (tlv.tag !== tag) {
    throw new MalformedCertificateError(
      `DER element at ${offset} has tag 0x${tlv.tag.toString(16)}, expected 0x${tag.toString(16)}`,
    );
  }
  return tlv;
}

/** The elements directly inside a constructed element. */
export function childrenOf(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

export function contentsOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.end);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Dotted-decimal form of an OBJECT IDENTIFIER's contents. */
export function decodeOid(contents: Uint8Array): string {
  if (contents.length === 0) throw new MalformedCertificateError('DER OBJECT IDENTIFIER is empty');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of contents) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128)
      throw new MalformedCertificateError('DER OBJECT IDENTIFIER arc is too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const top = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(top, value - top * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  if (contents[contents.length - 1]! & 0x80) throw new MalformedCertificateError('DER OBJECT IDENTIFIER is truncated');
  return arcs.join('.');
}

function utf16be(contents: Uint8Array): string {
  let text = '';
  for (let i = 0; i + 1 < contents.length; i += 2) text += String.fromCharCode((contents[i]! << 8) | contents[i + 1]!);
  return text;
}

function utf32be(contents: Uint8Array): string {
  let text = '';
  for (let i = 0; i + 3 < contents.length; i += 4) {
    const point = ((contents[i]! << 24) | (contents[i + 1]! << 16) | (contents[i + 2]! << 8) | contents[i + 3]!) >>> 0;
    text += point <= 0x10ffff ? String.fromCodePoint(point) : '\ufffd';
  }
  return text;
}

/** The text of a directory string (the string types X.509 names use). */
export function decodeString(bytes: Uint8Array, tlv: Tlv): string {
  const contents = contentsOf(bytes, tlv);
  switch (tlv.tag) {
    case TAG.utf8String:
      return Buffer.from(contents).toString('utf8');
    case TAG.bmpString:
      return utf16be(contents);
    case TAG.universalString:
      return utf32be(contents);
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.t61String:
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return Buffer.from(contents).toString('latin1');
    default:
      throw new MalformedCertificateError(`DER string has unsupported tag 0x${tlv.tag.toString(16)}`);
  }
}

/** UTCTime (two-digit years, 1950-2049 per RFC 5280) or GeneralizedTime, both in the Z form X.509 requires. */
export function decodeTime(bytes: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(contentsOf(bytes, tlv)).toString('latin1');
  const match =
    tlv.tag === TAG.utcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
      : tlv.tag === TAG.generalizedTime
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(text)
        : null;
  if (!match)
    throw new MalformedCertificateError(`certificate time "${text}" is not a valid UTCTime or GeneralizedTime`);
  let year = Number(match[1]);
  if (tlv.tag === TAG.utcTime) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = [match[2], match[3], match[4], match[5], match[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years below 100 as written
  date.setUTCHours(hour, minute, second, 0);
  // Date.UTC rolls 13/32 over into the next year/month; a certificate time must name a real instant as written.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new MalformedCertificateError(`certificate time "${text}" is not a date`);
  }
  return date;
}
