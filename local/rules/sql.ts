import { topicFilterProblem, topicMatches } from '../gateway/topic.js';
import { RuleSqlError } from './errors.js';
import { type Token, tokenize } from './sql-lexer.js';

/**
 * The subset of the AWS IoT rules SQL (version 2016-03-23) the local rules engine evaluates:
 *   SELECT * | item [AS alias], ... FROM '<topic filter>' [WHERE <condition>]
 * items: payload fields (`a.b.c`) and topic(), topic(n), clientid(), timestamp();
 * conditions: = <> != < <= > >=, AND, OR, NOT, parentheses, literals 'text', numbers, true, false, null.
 * Anything else throws RuleSqlError with a code: the engine reports the rule instead of ignoring it.
 */
export type Operand =
  | { kind: 'field'; path: string[] }
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'call'; name: 'topic' | 'clientid' | 'timestamp'; index?: number };

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; op: '=' | '<>' | '<' | '<=' | '>' | '>='; left: Operand; right: Operand }
  | { kind: 'truthy'; operand: Operand };

export interface SelectItem {
  operand: Operand;
  alias: string;
}

export interface RuleQuery {
  /** `all` for SELECT *; otherwise the listed items. */
  select: 'all' | SelectItem[];
  from: string;
  where?: Condition;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position] ?? { kind: 'end', at: -1 };
  }
  private next(): Token {
    const token = this.peek();
    this.position++;
    return token;
  }
  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'keyword' && token.value === word;
  }
  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.value === symbol;
  }
  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) this.fail(`expected ${word}`);
    this.position++;
  }
  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail(`expected '${symbol}'`);
    this.position++;
  }
  private fail(message: string): never {
    const token = this.peek();
    const found = token.kind === 'end' ? 'end of input' : JSON.stringify(token.value);
    throw new RuleSqlError('SQL_SYNTAX', `${message} at ${token.at}, found ${found}`);
  }

  query(): RuleQuery {
    this.expectKeyword('SELECT');
    const select = this.selectList();
    this.expectKeyword('FROM');
    const fromToken = this.next();
    if (fromToken.kind !== 'string') this.fail('expected a quoted topic filter after FROM');
    const problem = topicFilterProblem(fromToken.value);
    if (problem) throw new RuleSqlError('SQL_INVALID_TOPIC_FILTER', `FROM '${fromToken.value}': ${problem}`);
    let where: Condition | undefined;
    if (this.isKeyword('WHERE')) {
      this.position++;
      where = this.or();
    }
    if (this.peek().kind !== 'end') this.fail('unexpected input after the query');
    return where ? { select, from: fromToken.value, where } : { select, from: fromToken.value };
  }

  private selectList(): 'all' | SelectItem[] {
    if (this.isSymbol('*')) {
      this.position++;
      if (this.isSymbol(',')) throw new RuleSqlError('SQL_UNSUPPORTED', 'SELECT * combined with other items');
      return 'all';
    }
    const items: SelectItem[] = [];
    do {
      if (items.length > 0) this.position++;
      const operand = this.operand();
      let alias = operand.kind === 'field' ? (operand.path.at(-1) ?? '') : operand.kind === 'call' ? operand.name : '';
      if (this.isKeyword('AS')) {
        this.position++;
        const name = this.next();
        if (name.kind !== 'identifier') this.fail('expected an alias after AS');
        alias = name.value;
      }
      if (!alias) this.fail('a literal in SELECT needs an alias');
      items.push({ operand, alias });
    } while (this.isSymbol(','));
    return items;
  }

  private or(): Condition {
    let left = this.and();
    while (this.isKeyword('OR')) {
      this.position++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): Condition {
    let left = this.unary();
    while (this.isKeyword('AND')) {
      this.position++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }
  private unary(): Condition {
    if (this.isKeyword('NOT')) {
      this.position++;
      return { kind: 'not', operand: this.unary() };
    }
    if (this.isSymbol('(')) {
      this.position++;
      const inner = this.or();
      this.expectSymbol(')');
      return inner;
    }
    const left = this.operand();
    const op = this.peek();
    if (op.kind === 'symbol' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(op.value)) {
      this.position++;
      const normalised = (op.value === '!=' ? '<>' : op.value) as '=' | '<>' | '<' | '<=' | '>' | '>=';
      return { kind: 'compare', op: normalised, left, right: this.operand() };
    }
    return { kind: 'truthy', operand: left };
  }

  private operand(): Operand {
    const token = this.next();
    if (token.kind === 'string' || token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'keyword' && (token.value === 'TRUE' || token.value === 'FALSE')) {
      return { kind: 'literal', value: token.value === 'TRUE' };
    }
    if (token.kind === 'keyword' && token.value === 'NULL') return { kind: 'literal', value: null };
    if (token.kind !== 'identifier') {
      this.position--;
      this.fail('expected a field, a literal or a function');
    }
    if (this.isSymbol('(')) return this.call(token.value);
    const path = [token.value];
    while (this.isSymbol('.')) {
      this.position++;
      const part = this.next();
      if (part.kind !== 'identifier') this.fail('expected a field name after "."');
      path.push(part.value);
    }
    return { kind: 'field', path };
  }

  private call(name: string): Operand {
    this.expectSymbol('(');
    const lower = name.toLowerCase();
    if (lower !== 'topic' && lower !== 'clientid' && lower !== 'timestamp') {
      throw new RuleSqlError('SQL_UNSUPPORTED', `function ${name}() is not supported by the local rules engine`);
    }
    let index: number | undefined;
    const argument = this.peek();
    if (lower === 'topic' && argument.kind === 'number') {
      if (!Number.isInteger(argument.value) || argument.value < 1) this.fail('topic(n) needs a positive integer');
      index = argument.value;
      this.position++;
    }
    this.expectSymbol(')');
    return index === undefined ? { kind: 'call', name: lower } : { kind: 'call', name: lower, index };
  }
}

/** Parses a rule's SQL; throws RuleSqlError (SQL_SYNTAX, SQL_UNSUPPORTED, SQL_INVALID_TOPIC_FILTER). */
export function parseRuleSql(sql: string): RuleQuery {
  return new Parser(tokenize(sql)).query();
}

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
 * the message. SELECT * passes the payload through unchanged (JSON or not); a select list builds a JSON object.
 */
export function runRuleQuery(query: RuleQuery, message: RuleMessage): RuleOutcome {
  if (!topicMatches(query.from, message.topic)) return { matched: false };
  const json = decodeJson(message.payload);
  if (query.where && holds(query.where, message, json) !== true) return { matched: false };
  if (query.select === 'all') return { matched: true, output: message.payload };
  const output: Record<string, unknown> = {};
  for (const item of query.select) {
    const value = operandValue(item.operand, message, json);
    if (value !== undefined) output[item.alias] = value;
  }
  return { matched: true, output: Buffer.from(JSON.stringify(output)) };
}
