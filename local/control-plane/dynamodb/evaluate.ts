import type { AttributeValue, Item } from '../../state/tables.js';
import { validation } from './errors.js';
import type { Condition, Operand, UpdateActions } from './expression.js';
import { compare, equal } from './values.js';

/**
 * ExpressionAttributeNames / ExpressionAttributeValues of one request: resolves placeholders and remembers which were
 * used, because DynamoDB refuses a request that supplies one no expression uses.
 */
export class Placeholders {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(
    private readonly names: Record<string, string>,
    private readonly values: Item,
  ) {}

  name(token: string, what: string): string {
    if (!token.startsWith('#')) return token;
    const name = this.names[token];
    if (name === undefined) {
      throw validation(
        `Invalid ${what}: An expression attribute name used in the document path is not defined; attribute name: ${token}`,
      );
    }
    this.usedNames.add(token);
    return name;
  }

  value(token: string, what: string): AttributeValue {
    const value = this.values[token];
    if (value === undefined) {
      throw validation(
        `Invalid ${what}: An expression attribute value used in expression is not defined; attribute value: ${token}`,
      );
    }
    this.usedValues.add(token);
    return value;
  }

  /** After every expression of the request was resolved. */
  checkAllUsed(): void {
    const unusedValues = Object.keys(this.values).filter((key) => !this.usedValues.has(key));
    if (unusedValues.length > 0) {
      throw validation(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
    const unusedNames = Object.keys(this.names).filter((key) => !this.usedNames.has(key));
    if (unusedNames.length > 0) {
      throw validation(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
  }
}

/** Walks a condition once to resolve every placeholder (so undefined ones fail even on a short-circuited branch). */
export function resolveCondition(condition: Condition, placeholders: Placeholders, what: string): void {
  const operand = (o: Operand): void => {
    if (o.kind === 'path') placeholders.name(o.name, what);
    else if (o.kind === 'value') placeholders.value(o.name, what);
    else if (o.kind === 'size') operand(o.path);
    else if (o.kind === 'if_not_exists') {
      operand(o.path);
      operand(o.fallback);
    } else {
      operand(o.left);
      operand(o.right);
    }
  };
  switch (condition.kind) {
    case 'compare':
      operand(condition.left);
      operand(condition.right);
      return;
    case 'between':
      [condition.operand, condition.low, condition.high].forEach(operand);
      return;
    case 'in':
      [condition.operand, ...condition.list].forEach(operand);
      return;
    case 'function':
      condition.args.forEach(operand);
      return;
    case 'not':
      resolveCondition(condition.condition, placeholders, what);
      return;
    default:
      resolveCondition(condition.left, placeholders, what);
      resolveCondition(condition.right, placeholders, what);
  }
}

function sizeOf(value: AttributeValue): AttributeValue | undefined {
  const size = (n: number): AttributeValue => ({ N: String(n) });
  if ('S' in value) return size(Buffer.byteLength(value.S));
  if ('B' in value) return size(Buffer.from(value.B, 'base64').length);
  if ('SS' in value) return size(value.SS.length);
  if ('NS' in value) return size(value.NS.length);
  if ('BS' in value) return size(value.BS.length);
  if ('L' in value) return size(value.L.length);
  if ('M' in value) return size(Object.keys(value.M).length);
  return undefined;
}

function read(
  operand: Operand,
  item: Item | undefined,
  placeholders: Placeholders,
  what: string,
): AttributeValue | undefined {
  switch (operand.kind) {
    case 'path':
      return item?.[placeholders.name(operand.name, what)];
    case 'value':
      return placeholders.value(operand.name, what);
    case 'size': {
      const value = read(operand.path, item, placeholders, what);
      return value === undefined ? undefined : sizeOf(value);
    }
    case 'if_not_exists':
      return read(operand.path, item, placeholders, what) ?? read(operand.fallback, item, placeholders, what);
    case 'arith': {
      const left = read(operand.left, item, placeholders, what);
      const right = read(operand.right, item, placeholders, what);
      if (left === undefined || right === undefined) {
        throw validation('The provided expression refers to an attribute that does not exist in the item');
      }
      if (!('N' in left) || !('N' in right)) {
        throw validation('An operand in the update expression has an incorrect data type');
      }
      const result = operand.op === '+' ? Number(left.N) + Number(right.N) : Number(left.N) - Number(right.N);
      return { N: String(result) };
    }
  }
}

/** Whether `item` (undefined: no such item) satisfies the condition. Comparing values of different types is false. */
export function evaluateCondition(
  condition: Condition,
  item: Item | undefined,
  placeholders: Placeholders,
  what = 'ConditionExpression',
): boolean {
  const value = (operand: Operand) => read(operand, item, placeholders, what);
  switch (condition.kind) {
    case 'and':
      return (
        evaluateCondition(condition.left, item, placeholders, what) &&
        evaluateCondition(condition.right, item, placeholders, what)
      );
    case 'or':
      return (
        evaluateCondition(condition.left, item, placeholders, what) ||
        evaluateCondition(condition.right, item, placeholders, what)
      );
    case 'not':
      return !evaluateCondition(condition.condition, item, placeholders, what);
    case 'compare': {
      const left = value(condition.left);
      const right = value(condition.right);
      if (left === undefined || right === undefined)
        return condition.op === '<>' && (left !== undefined || right !== undefined);
      if (condition.op === '=') return equal(left, right);
      if (condition.op === '<>') return !equal(left, right);
      const order = compare(left, right);
      if (order === undefined) return false;
      return { '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[condition.op];
    }
    case 'between': {
      const subject = value(condition.operand);
      const low = value(condition.low);
      const high = value(condition.high);
      if (!subject || !low || !high) return false;
      const lower = compare(subject, low);
      const upper = compare(subject, high);
      return lower !== undefined && upper !== undefined && lower >= 0 && upper <= 0;
    }
    case 'in': {
      const subject = value(condition.operand);
      return (
        subject !== undefined &&
        condition.list.some((candidate) => {
          const other = value(candidate);
          return other !== undefined && equal(subject, other);
        })
      );
    }
    case 'function': {
      const [first, second] = condition.args;
      if (condition.name === 'attribute_exists') return value(first!) !== undefined;
      if (condition.name === 'attribute_not_exists') return value(first!) === undefined;
      const subject = value(first!);
      const probe = value(second!);
      if (!subject || !probe) return false;
      if (condition.name === 'begins_with') {
        if ('S' in subject && 'S' in probe) return subject.S.startsWith(probe.S);
        return (
          'B' in subject &&
          'B' in probe &&
          Buffer.from(subject.B, 'base64')
            .subarray(0, Buffer.from(probe.B, 'base64').length)
            .equals(Buffer.from(probe.B, 'base64'))
        );
      }
      if ('S' in subject && 'S' in probe) return subject.S.includes(probe.S);
      if ('SS' in subject && 'S' in probe) return subject.SS.includes(probe.S);
      if ('NS' in subject && 'N' in probe) return subject.NS.some((n) => Number(n) === Number(probe.N));
      if ('L' in subject) return subject.L.some((member) => equal(member, probe));
      return false;
    }
  }
}

/**
 * Applies SET and REMOVE to a copy of the item (a new item holds just its key). Every value is read from the item as it
 * was before the update, as DynamoDB does. Returns the new item and the names the update touched.
 */
export function applyUpdate(
  actions: UpdateActions,
  before: Item,
  keyNames: readonly string[],
  placeholders: Placeholders,
): { item: Item; touched: string[] } {
  const what = 'UpdateExpression';
  const touched: string[] = [];
  const target = (token: string) => {
    const name = placeholders.name(token, what);
    if (keyNames.includes(name)) {
      throw validation(
        `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
      );
    }
    if (touched.includes(name)) {
      throw validation(
        `Invalid ${what}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${name}], path two: [${name}]`,
      );
    }
    touched.push(name);
    return name;
  };
  const after: Item = { ...before };
  for (const { path, value } of actions.set) {
    const name = target(path);
    const computed = read(value, before, placeholders, what);
    if (computed === undefined) {
      throw validation('The provided expression refers to an attribute that does not exist in the item');
    }
    after[name] = computed;
  }
  for (const path of actions.remove) delete after[target(path)];
  return { item: after, touched };
}
