import type { AttributeValue, Item } from '../../state/tables.js';
import { validation } from './errors.js';

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
type TypeTag = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'SS' | 'NS' | 'BS' | 'L' | 'M';
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** DynamoDB numbers carry up to 38 significant digits. */
const MAX_DIGITS = 38;

export function typeOf(value: AttributeValue): TypeTag {
  return Object.keys(value)[0] as TypeTag;
}

function checkNumber(text: unknown): string {
  if (typeof text !== 'string' || !NUMBER.test(text.trim())) {
    throw validation(`The parameter cannot be converted to a numeric value: ${String(text)}`);
  }
  const digits = text
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  if (digits.length > MAX_DIGITS) throw validation('Attempting to store more than 38 significant digits in a Number');
  return text.trim();
}

function checkSet(tag: string, list: unknown, each: (item: unknown) => string): string[] {
  if (!Array.isArray(list)) throw validation(`${tag} must be a list`);
  if (list.length === 0) throw validation(`One or more parameter values were invalid: An ${tag} may not be empty`);
  const items = list.map(each);
  if (new Set(items).size !== items.length)
    throw validation(`Input collection [${items.join(', ')}] contains duplicates.`);
  return items;
}

const isString = (item: unknown): string => {
  if (typeof item !== 'string') throw validation('A set member is not a string');
  return item;
};

/** Checks one AttributeValue from a request and returns it as the store keeps it; ValidationException otherwise. */
export function attributeValue(input: unknown): AttributeValue {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  const set = Object.entries(input).filter(([, v]) => v !== undefined && v !== null);
  if (set.length === 0) {
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  if (set.length > 1) {
    throw validation(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const [tag, value] = set[0]!;
  switch (tag) {
    case 'S':
      if (typeof value !== 'string') throw validation('S must be a string');
      return { S: value };
    case 'N':
      return { N: checkNumber(value) };
    case 'B':
      if (typeof value !== 'string' || !BASE64.test(value)) throw validation('B must be base64');
      return { B: value };
    case 'BOOL':
      if (typeof value !== 'boolean') throw validation('BOOL must be a boolean');
      return { BOOL: value };
    case 'NULL':
      if (value !== true)
        throw validation(
          'One or more parameter values were invalid: Null attribute value types must have the value of true',
        );
      return { NULL: true };
    case 'SS':
      return { SS: checkSet('string set ', value, isString) };
    case 'NS':
      return { NS: checkSet('number set ', value, checkNumber) };
    case 'BS':
      return { BS: checkSet('binary set ', value, isString) };
    case 'L':
      if (!Array.isArray(value)) throw validation('L must be a list');
      return { L: value.map((item) => attributeValue(item)) };
    case 'M':
      return { M: attributeMap(value, 'M') };
    default:
      throw validation(`Supplied AttributeValue has an unknown datatype ${tag}`);
  }
}

/** A map of attribute name -> AttributeValue (an Item, a Key, ExpressionAttributeValues). */
export function attributeMap(input: unknown, what: string): Item {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw validation(`${what} must be a map`);
  const out: Item = {};
  for (const [name, value] of Object.entries(input)) out[name] = attributeValue(value);
  return out;
}

function compareNumbers(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** Ordering of two scalars of the same type (S by UTF-8 bytes, N numerically, B by bytes); undefined otherwise. */
export function compare(a: AttributeValue, b: AttributeValue): number | undefined {
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N);
  if ('S' in a && 'S' in b) return compareBytes(Buffer.from(a.S, 'utf8'), Buffer.from(b.S, 'utf8'));
  if ('B' in a && 'B' in b) return compareBytes(Buffer.from(a.B, 'base64'), Buffer.from(b.B, 'base64'));
  return undefined;
}

const sameMembers = (a: string[], b: string[], same: (x: string, y: string) => boolean) =>
  a.length === b.length && a.every((x) => b.some((y) => same(x, y)));

export function equal(a: AttributeValue, b: AttributeValue): boolean {
  if (typeOf(a) !== typeOf(b)) return false;
  if ('N' in a && 'N' in b) return compareNumbers(a.N, b.N) === 0;
  if ('NS' in a && 'NS' in b) return sameMembers(a.NS, b.NS, (x, y) => compareNumbers(x, y) === 0);
  if ('SS' in a && 'SS' in b) return sameMembers(a.SS, b.SS, (x, y) => x === y);
  if ('BS' in a && 'BS' in b) return sameMembers(a.BS, b.BS, (x, y) => x === y);
  if ('L' in a && 'L' in b) return a.L.length === b.L.length && a.L.every((x, i) => equal(x, b.L[i]!));
  if ('M' in a && 'M' in b) {
    const keys = Object.keys(a.M);
    return (
      keys.length === Object.keys(b.M).length && keys.every((k) => b.M[k] !== undefined && equal(a.M[k]!, b.M[k]!))
    );
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The item size DynamoDB bills and limits (400 KB): attribute names plus values, approximately as documented. */
export function itemSize(item: Item): number {
  let size = 0;
  const valueSize = (value: AttributeValue): number => {
    if ('S' in value) return Buffer.byteLength(value.S);
    if ('N' in value) return Math.ceil(value.N.length / 2) + 1;
    if ('B' in value) return Buffer.from(value.B, 'base64').length;
    if ('BOOL' in value || 'NULL' in value) return 1;
    if ('SS' in value) return value.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
    if ('NS' in value) return value.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
    if ('BS' in value) return value.BS.reduce((n, s) => n + Buffer.from(s, 'base64').length, 0);
    if ('L' in value) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
    return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  };
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}
