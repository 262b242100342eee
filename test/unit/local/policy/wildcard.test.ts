import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atomsMatch, globAtoms, globMatches, literalAtoms } from '../../../../local/policy/wildcard.js';

/** Reference implementation: the glob as an anchored regular expression. */
function viaRegex(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${source}$`).test(value);
}

describe('globMatches', () => {
  it('treats * as any run of characters (slashes included) and ? as one character', () => {
    expect(globMatches('arn:aws:iot:*:*:topic/dt/*', 'arn:aws:iot:eu-west-1:1:topic/dt/a/b')).toBe(true);
    expect(globMatches('client/dev?', 'client/dev1')).toBe(true);
    expect(globMatches('client/dev?', 'client/dev12')).toBe(false);
  });

  it('treats MQTT wildcards as plain characters', () => {
    expect(globMatches('topicfilter/dt/#', 'topicfilter/dt/#')).toBe(true);
    expect(globMatches('topicfilter/dt/#', 'topicfilter/dt/a')).toBe(false);
    expect(globMatches('topicfilter/dt/+', 'topicfilter/dt/a')).toBe(false);
  });

  it('agrees with a regular-expression reference on arbitrary patterns and values', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', '*', '?', '+', '#');
    const text = fc.array(alphabet, { maxLength: 12 }).map((chars) => chars.join(''));
    fc.assert(fc.property(text, text, (pattern, value) => globMatches(pattern, value) === viaRegex(pattern, value)));
  });

  it('keeps substituted text literal', () => {
    const atoms = [...globAtoms('client/'), ...literalAtoms('a*')];
    expect(atomsMatch(atoms, 'client/a*')).toBe(true);
    expect(atomsMatch(atoms, 'client/abc')).toBe(false);
  });

  it('compares case-insensitively on request (IAM action names)', () => {
    expect(globMatches('iot:publish', 'iot:Publish', { ignoreCase: true })).toBe(true);
    expect(globMatches('iot:publish', 'iot:Publish')).toBe(false);
  });
});
