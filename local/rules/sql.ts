import { topicFilterProblem } from '../gateway/topic.js';
import { RuleSqlError } from './errors.js';
import { type Token, tokenize } from './sql-lexer.js';

/**
 * The subset of the AWS IoT rules SQL (version 2016-03-23) the local rules engine evaluates:
 *   SELECT * | item [AS alias] | *, item [AS alias], ... FROM '<topic filter>' [WHERE <condition>]
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
  /** `*` present (the whole payload), and the other listed items (`SELECT *, topic() AS t` has both). */
  select: { all: boolean; items: SelectItem[] };
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

  private selectList(): { all: boolean; items: SelectItem[] } {
    let all = false;
    const items: SelectItem[] = [];
    do {
      if (all || items.length > 0) this.position++;
      if (this.isSymbol('*')) {
        if (all) this.fail('* listed twice');
        all = true;
        this.position++;
        continue;
      }
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
    return { all, items };
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
