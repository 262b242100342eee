import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleSqlError } from '../../../../local/rules/errors.js';
import { type RuleMessage, runRuleQuery } from '../../../../local/rules/evaluate.js';
import { parseRuleSql } from '../../../../local/rules/sql.js';

const message = (topic: string, payload: unknown): RuleMessage => ({
  topic,
  payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  clientId: 'dev1',
  timestamp: 1_700_000_000_000,
});

function matches(sql: string, topic: string, payload: unknown): boolean {
  return runRuleQuery(parseRuleSql(sql), message(topic, payload)).matched;
}

function codeOf(sql: string): string | undefined {
  try {
    parseRuleSql(sql);
    return undefined;
  } catch (error) {
    return (error as RuleSqlError).code;
  }
}

describe('rules SQL', () => {
  it('selects every message on a topic filter with + and #, passing the payload through unchanged', () => {
    const query = parseRuleSql("SELECT * FROM '$aws/events/certificates/registered/+'");
    const event = message('$aws/events/certificates/registered/abc', { certificateId: 'x' });
    expect(runRuleQuery(query, event)).toEqual({ matched: true, output: event.payload });
    expect(matches("select * from 'dt/#'", 'dt/a/b', 'not json')).toBe(true);
    expect(matches("SELECT * FROM 'dt/+'", 'other/a', {})).toBe(false);
  });

  it('filters with = and <> on fields, nested fields, AND, OR and parentheses', () => {
    const sql = "SELECT * FROM 'dt/#' WHERE a = 'x' AND (b <> 2 OR c.d = true)";
    expect(matches(sql, 'dt/1', { a: 'x', b: 3 })).toBe(true);
    expect(matches(sql, 'dt/1', { a: 'x', b: 2, c: { d: true } })).toBe(true);
    expect(matches(sql, 'dt/1', { a: 'x', b: 2, c: { d: false } })).toBe(false);
    expect(matches(sql, 'dt/1', { a: 'y', b: 3 })).toBe(false);
  });

  it('treats a missing field or a non-JSON payload as Undefined, which never matches', () => {
    expect(matches("SELECT * FROM 't' WHERE a = 'x'", 't', {})).toBe(false);
    expect(matches("SELECT * FROM 't' WHERE a <> 'x'", 't', {})).toBe(false);
    expect(matches("SELECT * FROM 't' WHERE NOT (a = 'x')", 't', 'garbage')).toBe(false);
  });

  it('compares across types as unequal and orders numbers and strings', () => {
    expect(matches("SELECT * FROM 't' WHERE a = '1'", 't', { a: 1 })).toBe(false);
    expect(matches("SELECT * FROM 't' WHERE a <> '1'", 't', { a: 1 })).toBe(true);
    expect(matches("SELECT * FROM 't' WHERE a >= -2.5 AND a < 10", 't', { a: 3 })).toBe(true);
    expect(matches("SELECT * FROM 't' WHERE s > 'b'", 't', { s: 'c' })).toBe(true);
  });

  it('builds an object from a select list with aliases and topic()/clientid()', () => {
    const query = parseRuleSql("SELECT a.b AS value, topic(2) AS device, clientid() FROM 'dt/+'");
    const outcome = runRuleQuery(query, message('dt/dev9', { a: { b: 5 } }));
    expect(outcome.matched && JSON.parse(outcome.output.toString())).toEqual({
      value: 5,
      device: 'dev9',
      clientid: 'dev1',
    });
  });

  it('merges the payload with extra items for SELECT *, topic() AS t', () => {
    const query = parseRuleSql("SELECT *, topic() AS t, clientid() AS a FROM 'dt/+'");
    const outcome = runRuleQuery(query, message('dt/x', { a: 1, b: 2 }));
    expect(outcome.matched && JSON.parse(outcome.output.toString())).toEqual({ a: 'dev1', b: 2, t: 'dt/x' });
    expect(codeOf("SELECT *, * FROM 't'")).toBe('SQL_SYNTAX');
  });

  it('reports what it cannot evaluate with a code instead of ignoring it', () => {
    expect(codeOf("SELECT * FROM 't' WHERE upper(a) = 'X'")).toBe('SQL_UNSUPPORTED');
    expect(codeOf("SELECT * FROM 'a/#/b'")).toBe('SQL_INVALID_TOPIC_FILTER');
    expect(codeOf('SELECT * FROM t')).toBe('SQL_SYNTAX');
    expect(codeOf("SELECT * FROM 't' WHERE a = 'x' LIMIT 1")).toBe('SQL_SYNTAX');
    expect(codeOf("SELECT * FROM 't' WHERE a ~ 1")).toBe('SQL_SYNTAX');
    expect(codeOf("SELECT * FROM 'unterminated")).toBe('SQL_SYNTAX');
  });

  it('either parses or throws a RuleSqlError for any input', () => {
    const sqlish = fc.array(
      fc.constantFrom(
        'SELECT',
        '*',
        'FROM',
        "'t/+'",
        'WHERE',
        'a',
        '.',
        'b',
        '=',
        '<>',
        "'x'",
        '1',
        'AND',
        'OR',
        '(',
        ')',
        'NOT',
        ',',
        'AS',
      ),
      { maxLength: 14 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          sqlish.map((parts) => parts.join(' ')),
        ),
        (sql) => {
          try {
            parseRuleSql(sql);
            return true;
          } catch (error) {
            return error instanceof RuleSqlError && typeof error.code === 'string';
          }
        },
      ),
    );
  });

  it('matches a FROM filter exactly as the topic matcher does for generated WHERE-less rules', () => {
    const level = fc.stringMatching(/^[a-z]{1,3}$/);
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 4 }), (levels) => {
        const topic = levels.join('/');
        return matches(`SELECT * FROM '${topic}'`, topic, {}) && matches(`SELECT * FROM '${levels[0]}/#'`, topic, {});
      }),
    );
  });
});
