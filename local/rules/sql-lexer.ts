import { RuleSqlError } from './errors.js';

/** Tokens of the AWS IoT rules SQL subset. Keywords are case-insensitive; identifiers keep their case. */
export type Token =
  | { kind: 'keyword'; value: string; at: number }
  | { kind: 'identifier'; value: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; at: number }
  | { kind: 'symbol'; value: string; at: number }
  | { kind: 'end'; at: number };

const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'AS', 'TRUE', 'FALSE', 'NULL']);
const SYMBOLS = ['<>', '!=', '<=', '>=', '=', '<', '>', '(', ')', ',', '.', '*'];

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      // Single-quoted string; a doubled quote is a literal quote.
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new RuleSqlError('SQL_SYNTAX', `unterminated string starting at ${i}`);
        if (sql[j] === "'") {
          if (sql[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += sql[j];
        j++;
      }
      tokens.push({ kind: 'string', value, at: i });
      i = j + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(sql.slice(i));
    if (number && (c !== '-' || !followsOperand(tokens.at(-1)))) {
      tokens.push({ kind: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      const upper = word[0].toUpperCase();
      tokens.push(
        KEYWORDS.has(upper) ? { kind: 'keyword', value: upper, at: i } : { kind: 'identifier', value: word[0], at: i },
      );
      i += word[0].length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => sql.startsWith(s, i));
    if (!symbol) throw new RuleSqlError('SQL_SYNTAX', `unexpected character ${JSON.stringify(c)} at ${i}`);
    tokens.push({ kind: 'symbol', value: symbol, at: i });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', at: sql.length });
  return tokens;
}

/** A '-' after an operand would be subtraction, which the subset does not have; elsewhere it signs a number. */
function followsOperand(token: Token | undefined): boolean {
  if (!token) return false;
  return (
    token.kind === 'identifier' ||
    token.kind === 'string' ||
    token.kind === 'number' ||
    (token.kind === 'symbol' && token.value === ')')
  );
}
