import { topicMatches } from '../gateway/topic.js';
import type { Condition, Operand, RuleQuery } from './sql.js';

/**
 * Evaluation of a parsed rules SQL query on one message, with AWS's three-valued logic: a missing field or a
 * comparison of incompatible types is Undefined, and a WHERE that is not true drops the message.
 */
/** What a message offers the query: its topic, decoded JSON payload (undefined when not JSON), and metadata. */
export interface RuleMessage {
  topic: string;
  payload: Buffer;
  clientId?: string;
  timestamp: number;
}

export type RuleOutcome = { matched: false } | { matched: true; output: Buffer };

type Value = string | number | boolean | null | object | undefined;

function decodeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

function operandValue(operand: Operand, message: RuleMessage, json: unknown): Value {
  switch (operand.kind) {
    case 'literal':
      return operand.value;
    case 'call':
      if (operand.name === 'timestamp') return message.timestamp;
      if (operand.name === 'clientid') return message.clientId;
      return operand.index === undefined ? message.topic : message.topic.split('/')[operand.index - 1];
    case 'field': {
      let value: unknown = json;
      for (const key of operand.path) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
        value = (value as Record<string, unknown>)[key];
      }
      return value as Value;
    }
  }
}

/** Three-valued comparison: undefined (AWS "Undefined") when either side is missing or the types do not compare. */
function compare(op: string, left: Value, right: Value): boolean | undefined {
  if (left === undefined || right === undefined) return undefined;
  const sameType = typeof left === typeof right && (left === null) === (right === null);
  if (op === '=' || op === '<>') {
    const equal =
      sameType && (typeof left === 'object' ? JSON.stringify(left) === JSON.stringify(right) : left === right);
    return op === '=' ? equal : !equal;
  }
  if (!sameType || (typeof left !== 'number' && typeof left !== 'string')) return undefined;
  const l = left as number | string;
  const r = right as number | string;
  if (op === '<') return l < r;
  if (op === '<=') return l <= r;
  if (op === '>') return l > r;
  return l >= r;
}

function holds(condition: Condition, message: RuleMessage, json: unknown): boolean | undefined {
  switch (condition.kind) {
    case 'and': {
      const l = holds(condition.left, message, json);
      if (l === false) return false;
      const r = holds(condition.right, message, json);
      if (r === false) return false;
      return l === undefined || r === undefined ? undefined : true;
    }
    case 'or': {
      const l = holds(condition.left, message, json);
      if (l === true) return true;
      const r = holds(condition.right, message, json);
      if (r === true) return true;
      return l === undefined || r === undefined ? undefined : false;
    }
    case 'not': {
      const inner = holds(condition.operand, message, json);
      return inner === undefined ? undefined : !inner;
    }
    case 'compare':
      return compare(
        condition.op,
        operandValue(condition.left, message, json),
        operandValue(condition.right, message, json),
      );
    case 'truthy': {
      const value = operandValue(condition.operand, message, json);
      return typeof value === 'boolean' ? value : undefined;
    }
  }
}

/**
 * Runs a parsed query on one message. The FROM filter must match the topic; a WHERE that is false or Undefined drops
 * the message. SELECT * alone passes the payload through unchanged (JSON or not); a select list builds a JSON object.
 */
export function runRuleQuery(query: RuleQuery, message: RuleMessage): RuleOutcome {
  if (!topicMatches(query.from, message.topic)) return { matched: false };
  const json = decodeJson(message.payload);
  if (query.where && holds(query.where, message, json) !== true) return { matched: false };
  const { all, items } = query.select;
  if (all && items.length === 0) return { matched: true, output: message.payload };
  // `*` with other items merges the payload's fields (a JSON object payload) with the items, items winning.
  const output: Record<string, unknown> =
    all && json !== null && typeof json === 'object' && !Array.isArray(json) ? { ...(json as object) } : {};
  for (const item of items) {
    const value = operandValue(item.operand, message, json);
    if (value !== undefined) output[item.alias] = value;
  }
  return { matched: true, output: Buffer.from(JSON.stringify(output)) };
}
