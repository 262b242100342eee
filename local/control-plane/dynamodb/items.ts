import { type AttributeValue, type Item, keyString } from '../../state/tables.js';
import type { RpcInput } from '../rpc-input.js';
import { conditionalCheckFailed, validation } from './errors.js';
import { applyUpdate, evaluateCondition, Placeholders, resolveCondition } from './evaluate.js';
import { type Condition, parseCondition, parseUpdate } from './expression.js';
import { type DynamoContext, liveTable } from './tables.js';
import { attributeMap, itemSize, typeOf } from './values.js';

/** Item operations: GetItem, PutItem, UpdateItem, DeleteItem (expressions only; the legacy parameters are refused). */
type Table = ReturnType<typeof liveTable>;

const MAX_ITEM_BYTES = 400 * 1024;
/** TTL ignores items whose expiry is more than five years in the past (the attribute is then not an expiry). */
const TTL_HORIZON_S = 5 * 365 * 24 * 3600;
const LEGACY = ['Expected', 'AttributeUpdates', 'ConditionalOperator', 'AttributesToGet'];

function refuseLegacy(input: RpcInput): void {
  const legacy = LEGACY.find((name) => input[name] !== undefined);
  if (legacy) throw validation(`jitr local serves expressions only; use the expression form instead of ${legacy}`);
}

/**
 * TTL: an item whose TTL attribute (a Number, epoch seconds) is in the past has expired. AWS deletes expired items
 * some time later (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html); the
 * emulator deletes them at the first access after expiry, one legal schedule of that deletion.
 */
function current(context: DynamoContext, table: Table, key: string): Item | undefined {
  const item = table.items.get(key);
  const ttl = table.timeToLive;
  if (!item || !ttl?.enabled) return item;
  const expiry = item[ttl.attributeName];
  if (!expiry || !('N' in expiry)) return item;
  const nowS = context.now() / 1000;
  const at = Number(expiry.N);
  if (at < nowS && at > nowS - TTL_HORIZON_S) {
    table.items.delete(key);
    return undefined;
  }
  return item;
}

function keyTypeOf(table: Table, name: string): 'S' | 'N' | 'B' {
  return table.attributeDefinitions.find((d) => d.AttributeName === name)!.AttributeType;
}

/** A Key parameter: exactly the key schema's attributes, of the defined types. */
function keyOf(table: Table, input: RpcInput): { key: string; item: Item } {
  if (input.Key === undefined)
    throw validation(
      "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null",
    );
  const key = attributeMap(input.Key, 'Key');
  const names = table.keySchema.map((element) => element.AttributeName);
  const matches =
    Object.keys(key).length === names.length &&
    names.every((name) => key[name] !== undefined && typeOf(key[name]!) === keyTypeOf(table, name));
  if (!matches) throw validation('The provided key element does not match the schema');
  checkKeyValues(table, key);
  return { key: keyString(table, key), item: key };
}

function checkKeyValues(table: Table, item: Item): void {
  for (const { AttributeName } of table.keySchema) {
    const value = item[AttributeName] as AttributeValue;
    if (('S' in value && value.S === '') || ('B' in value && value.B === '')) {
      throw validation(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${'S' in value ? 'string' : 'binary'} value. Key: ${AttributeName}`,
      );
    }
  }
}

/** A whole Item (PutItem): it holds the key attributes with their defined types. */
function itemOf(table: Table, input: RpcInput): Item {
  if (input.Item === undefined)
    throw validation(
      "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
    );
  const item = attributeMap(input.Item, 'Item');
  for (const { AttributeName } of table.keySchema) {
    const value = item[AttributeName];
    if (!value)
      throw validation(`One or more parameter values were invalid: Missing the key ${AttributeName} in the item`);
    const expected = keyTypeOf(table, AttributeName);
    if (typeOf(value) !== expected) {
      throw validation(
        `One or more parameter values were invalid: Type mismatch for key ${AttributeName} expected: ${expected} actual: ${typeOf(value)}`,
      );
    }
  }
  checkKeyValues(table, item);
  return item;
}

function checkSize(item: Item): void {
  if (itemSize(item) > MAX_ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
}

function stringMap(input: RpcInput, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw validation(`${name} must be a map`);
  if (Object.keys(value).length === 0) throw validation(`${name} must not be empty`);
  for (const item of Object.values(value))
    if (typeof item !== 'string') throw validation(`${name} values must be strings`);
  return value as Record<string, string>;
}

/** The request's placeholders and parsed condition, validated together as DynamoDB does. */
function expressions(input: RpcInput, updateExpression?: string) {
  const names = stringMap(input, 'ExpressionAttributeNames');
  const rawValues = input.ExpressionAttributeValues;
  if (
    rawValues !== undefined &&
    (typeof rawValues !== 'object' || rawValues === null || Object.keys(rawValues).length === 0)
  ) {
    throw validation('ExpressionAttributeValues must not be empty');
  }
  const values = rawValues === undefined ? {} : attributeMap(rawValues, 'ExpressionAttributeValues');
  const conditionText = input.ConditionExpression;
  if (conditionText !== undefined && typeof conditionText !== 'string')
    throw validation('ConditionExpression must be a string');
  const projection = input.ProjectionExpression;
  const anyExpression = conditionText !== undefined || updateExpression !== undefined || projection !== undefined;
  if (!anyExpression && input.ExpressionAttributeNames !== undefined) {
    throw validation('ExpressionAttributeNames can only be specified when using expressions');
  }
  if (!anyExpression && rawValues !== undefined) {
    throw validation(
      'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null',
    );
  }
  const placeholders = new Placeholders(names, values);
  const condition: Condition | undefined = conditionText === undefined ? undefined : parseCondition(conditionText);
  if (condition) resolveCondition(condition, placeholders, 'ConditionExpression');
  const update = updateExpression === undefined ? undefined : parseUpdate(updateExpression);
  if (update) {
    for (const { path, value } of update.set) {
      placeholders.name(path, 'UpdateExpression');
      resolveCondition({ kind: 'compare', op: '=', left: value, right: value }, placeholders, 'UpdateExpression');
    }
    for (const path of update.remove) placeholders.name(path, 'UpdateExpression');
  }
  const projected = projectionOf(projection, placeholders);
  placeholders.checkAllUsed();
  return { placeholders, condition, update, projected };
}

function projectionOf(projection: unknown, placeholders: Placeholders): string[] | undefined {
  if (projection === undefined) return undefined;
  if (typeof projection !== 'string' || projection.trim() === '') {
    throw validation('Invalid ProjectionExpression: The expression can not be empty;');
  }
  return projection.split(',').map((part) => {
    const token = part.trim();
    if (!/^#?[A-Za-z0-9_]+$/.test(token)) {
      throw validation(
        `Invalid ProjectionExpression: jitr local serves top-level attribute names only; got "${token}"`,
      );
    }
    return placeholders.name(token, 'ProjectionExpression');
  });
}

function returnValues(input: RpcInput, allowed: string[]): string {
  const value = input.ReturnValues ?? 'NONE';
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw validation(
      allowed.length === 2
        ? 'ReturnValues can only be ALL_OLD or NONE'
        : `ReturnValues must be one of ${allowed.join(', ')}`,
    );
  }
  return value;
}

function returnOnFailure(input: RpcInput): boolean {
  const value = input.ReturnValuesOnConditionCheckFailure ?? 'NONE';
  if (value !== 'NONE' && value !== 'ALL_OLD') {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
    );
  }
  return value === 'ALL_OLD';
}

function check(
  condition: Condition | undefined,
  old: Item | undefined,
  placeholders: Placeholders,
  returnOld: boolean,
): void {
  if (condition && !evaluateCondition(condition, old, placeholders)) {
    throw conditionalCheckFailed(returnOld && old ? old : undefined);
  }
}

function getItem(context: DynamoContext, input: RpcInput) {
  refuseLegacy(input);
  const table = liveTable(context, input);
  const { key } = keyOf(table, input);
  const { projected } = expressions(input);
  const item = current(context, table, key);
  if (!item) return {};
  if (!projected) return { Item: item };
  return { Item: Object.fromEntries(Object.entries(item).filter(([name]) => projected.includes(name))) };
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
function putItem(context: DynamoContext, input: RpcInput) {
  refuseLegacy(input);
  const table = liveTable(context, input);
  const item = itemOf(table, input);
  const wanted = returnValues(input, ['NONE', 'ALL_OLD']);
  const returnOld = returnOnFailure(input);
  const { placeholders, condition } = expressions(input);
  checkSize(item);
  const key = keyString(table, item);
  const old = current(context, table, key);
  check(condition, old, placeholders, returnOld);
  table.items.set(key, item);
  return wanted === 'ALL_OLD' && old ? { Attributes: old } : {};
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
function updateItem(context: DynamoContext, input: RpcInput) {
  refuseLegacy(input);
  const table = liveTable(context, input);
  const { key, item: keyItem } = keyOf(table, input);
  const wanted = returnValues(input, ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']);
  const returnOld = returnOnFailure(input);
  const text = input.UpdateExpression;
  if (text !== undefined && typeof text !== 'string') throw validation('UpdateExpression must be a string');
  const { placeholders, condition, update } = expressions(input, text);
  const old = current(context, table, key);
  check(condition, old, placeholders, returnOld);
  const names = table.keySchema.map((element) => element.AttributeName);
  const { item, touched } = update
    ? applyUpdate(update, old ?? keyItem, names, placeholders)
    : { item: old ?? keyItem, touched: [] as string[] };
  checkSize(item);
  table.items.set(key, item);
  const pick = (source: Item | undefined) =>
    Object.fromEntries(Object.entries(source ?? {}).filter(([name]) => touched.includes(name)));
  switch (wanted) {
    case 'ALL_OLD':
      return old ? { Attributes: old } : {};
    case 'ALL_NEW':
      return { Attributes: item };
    case 'UPDATED_OLD':
      return old ? { Attributes: pick(old) } : {};
    case 'UPDATED_NEW':
      return { Attributes: pick(item) };
    default:
      return {};
  }
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
function deleteItem(context: DynamoContext, input: RpcInput) {
  refuseLegacy(input);
  const table = liveTable(context, input);
  const { key } = keyOf(table, input);
  const wanted = returnValues(input, ['NONE', 'ALL_OLD']);
  const returnOld = returnOnFailure(input);
  const { placeholders, condition } = expressions(input);
  const old = current(context, table, key);
  check(condition, old, placeholders, returnOld);
  table.items.delete(key);
  return wanted === 'ALL_OLD' && old ? { Attributes: old } : {};
}

export const itemOperations = {
  GetItem: getItem,
  PutItem: putItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
};
