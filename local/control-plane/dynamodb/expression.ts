import { validation } from './errors.js';

/**
 * Condition and update expressions, parsed to a small tree.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
 * Document paths are top-level attribute names (`name` or `#placeholder`); nested paths are refused with a clear
 * ValidationException rather than half-served.
 */
export type Operand =
  | { kind: 'path'; name: string }
  | { kind: 'value'; name: string }
  | { kind: 'size'; path: Operand & { kind: 'path' } }
  | { kind: 'if_not_exists'; path: Operand & { kind: 'path' }; fallback: Operand }
  | { kind: 'arith'; op: '+' | '-'; left: Operand; right: Operand };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'function'; name: ConditionFunction; args: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition };

export type ConditionFunction = 'attribute_exists' | 'attribute_not_exists' | 'begins_with' | 'contains';

export interface UpdateActions {
  set: { path: string; value: Operand }[];
  remove: string[];
}

/** A path with its placeholders resolved by the caller's ExpressionAttributeNames. */
export type NameResolver = (token: string) => string;

interface Token {
  text: string;
  kind: 'name' | 'placeholder' | 'value' | 'punct' | 'number';
}

const PUNCT = ['<=', '>=', '<>', '=', '<', '>', '(', ')', ',', '+', '-', '.', '[', ']'];

function tokenize(source: string, what: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const match =
      /^#[A-Za-z0-9_]+/.exec(rest) ??
      /^:[A-Za-z0-9_]+/.exec(rest) ??
      /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ??
      /^\d+/.exec(rest);
    if (match) {
      const text = match[0];
      const kind = text.startsWith('#')
        ? 'placeholder'
        : text.startsWith(':')
          ? 'value'
          : /^\d/.test(text)
            ? 'number'
            : 'name';
      tokens.push({ text, kind });
      i += text.length;
      continue;
    }
    const punct = PUNCT.find((p) => rest.startsWith(p));
    if (!punct) throw syntax(what, rest[0] ?? '', source.slice(Math.max(0, i - 5), i + 5));
    tokens.push({ text: punct, kind: 'punct' });
    i += punct.length;
  }
  return tokens;
}

function syntax(what: string, token: string, near: string) {
  return validation(`Invalid ${what}: Syntax error; token: "${token}", near: "${near}"`);
}

class Parser {
  private position = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly what: string,
    private readonly source: string,
  ) {}

  done(): boolean {
    return this.position >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  keyword(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'name' && token.text.toUpperCase() === word) {
      this.position++;
      return true;
    }
    return false;
  }

  punct(text: string): boolean {
    const token = this.peek();
    if (token?.kind === 'punct' && token.text === text) {
      this.position++;
      return true;
    }
    return false;
  }

  expect(text: string): void {
    if (!this.punct(text)) this.fail();
  }

  fail(): never {
    const token = this.peek();
    if (!token)
      throw validation(`Invalid ${this.what}: Syntax error; token: "<EOF>", near: "${this.source.slice(-10)}"`);
    const near = this.tokens
      .slice(Math.max(0, this.position - 1), this.position + 2)
      .map((t) => t.text)
      .join(' ');
    throw syntax(this.what, token.text, near);
  }

  path(): Operand & { kind: 'path' } {
    const token = this.peek();
    if (!token || (token.kind !== 'name' && token.kind !== 'placeholder')) this.fail();
    this.position++;
    const next = this.peek();
    if (next?.kind === 'punct' && (next.text === '.' || next.text === '[')) {
      throw validation(`Invalid ${this.what}: jitr local serves top-level attribute names only (no nested paths)`);
    }
    return { kind: 'path', name: token.text };
  }

  /** operand ::= path | :value | size(path) | if_not_exists(path, operand) (update only), with + and - in updates. */
  operand(update = false): Operand {
    const left = this.term(update);
    if (update && (this.peek()?.text === '+' || this.peek()?.text === '-')) {
      const op = this.peek()!.text as '+' | '-';
      this.position++;
      return { kind: 'arith', op, left, right: this.term(update) };
    }
    return left;
  }

  private term(update: boolean): Operand {
    const token = this.peek();
    if (!token) this.fail();
    if (token.kind === 'value') {
      this.position++;
      return { kind: 'value', name: token.text };
    }
    const fn = token.kind === 'name' && this.peek(1)?.text === '(' ? token.text : undefined;
    if (fn === 'size' && !update) {
      this.position += 2;
      const path = this.path();
      this.expect(')');
      return { kind: 'size', path };
    }
    if (fn === 'if_not_exists' && update) {
      this.position += 2;
      const path = this.path();
      this.expect(',');
      const fallback = this.operand(false);
      this.expect(')');
      return { kind: 'if_not_exists', path, fallback };
    }
    if (fn !== undefined) throw validation(`Invalid ${this.what}: Invalid function name; function: ${fn}`);
    return this.path();
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.keyword('OR')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.keyword('AND')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Condition {
    if (this.keyword('NOT')) return { kind: 'not', condition: this.negation() };
    return this.primary();
  }

  private primary(): Condition {
    if (this.punct('(')) {
      const inner = this.condition();
      this.expect(')');
      return inner;
    }
    const token = this.peek();
    const functions: ConditionFunction[] = ['attribute_exists', 'attribute_not_exists', 'begins_with', 'contains'];
    if (token?.kind === 'name' && this.peek(1)?.text === '(' && functions.includes(token.text as ConditionFunction)) {
      this.position += 2;
      const name = token.text as ConditionFunction;
      const args: Operand[] = [name === 'begins_with' || name === 'contains' ? this.operand() : this.path()];
      if (name === 'begins_with' || name === 'contains') {
        this.expect(',');
        args.push(this.operand());
      }
      this.expect(')');
      return { kind: 'function', name, args };
    }
    const operand = this.operand();
    if (this.keyword('BETWEEN')) {
      const low = this.operand();
      if (!this.keyword('AND')) this.fail();
      return { kind: 'between', operand, low, high: this.operand() };
    }
    if (this.keyword('IN')) {
      this.expect('(');
      const list = [this.operand()];
      while (this.punct(',')) list.push(this.operand());
      this.expect(')');
      return { kind: 'in', operand, list };
    }
    const op = this.peek();
    if (op?.kind === 'punct' && ['=', '<>', '<', '<=', '>', '>='].includes(op.text)) {
      this.position++;
      return { kind: 'compare', op: op.text as Comparator, left: operand, right: this.operand() };
    }
    return this.fail();
  }
}

export function parseCondition(source: string, what = 'ConditionExpression'): Condition {
  if (source.trim() === '') throw validation(`Invalid ${what}: The expression can not be empty;`);
  const parser = new Parser(tokenize(source, what), what, source);
  const condition = parser.condition();
  if (!parser.done()) parser.fail();
  return condition;
}

const CLAUSES = ['SET', 'REMOVE', 'ADD', 'DELETE'];

export function parseUpdate(source: string): UpdateActions {
  const what = 'UpdateExpression';
  if (source.trim() === '') throw validation(`Invalid ${what}: The expression can not be empty;`);
  const parser = new Parser(tokenize(source, what), what, source);
  const actions: UpdateActions = { set: [], remove: [] };
  const seen = new Set<string>();
  while (!parser.done()) {
    const clause = parser.peek()!.text.toUpperCase();
    if (!CLAUSES.includes(clause) || parser.peek()!.kind !== 'name') parser.fail();
    if (seen.has(clause)) {
      throw validation(`Invalid ${what}: The "${clause}" section can only be used once in an update expression;`);
    }
    seen.add(clause);
    parser.keyword(clause);
    if (clause === 'ADD' || clause === 'DELETE') {
      throw validation(`Invalid ${what}: jitr local serves the SET and REMOVE clauses only`);
    }
    do {
      const path = parser.path().name;
      if (clause === 'SET') {
        parser.expect('=');
        actions.set.push({ path, value: parser.operand(true) });
      } else {
        actions.remove.push(path);
      }
    } while (parser.punct(','));
  }
  return actions;
}
