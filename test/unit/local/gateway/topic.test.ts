import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topicFilterProblem, topicMatches, topicNameProblem } from '../../../../local/gateway/topic.js';

const level = fc.stringMatching(/^[a-z0-9$_-]{0,6}$/).filter((l) => !l.includes('$') || l.startsWith('$'));
const topicName = fc.array(level, { minLength: 1, maxLength: 6 }).map((levels) => levels.join('/'));
const plainTopic = topicName.filter((t) => t.length > 0 && !t.startsWith('$'));

describe('topicMatches', () => {
  it('matches a single level with + and any number of levels with #', () => {
    expect(topicMatches('dt/+/temp', 'dt/dev1/temp')).toBe(true);
    expect(topicMatches('dt/+/temp', 'dt/dev1/x/temp')).toBe(false);
    expect(topicMatches('dt/#', 'dt/dev1/x/temp')).toBe(true);
    expect(topicMatches('dt/#', 'dt')).toBe(true);
    expect(topicMatches('dt/+', 'dt')).toBe(false);
  });

  it('does not let a first-level wildcard receive $ topics, but an explicit $aws filter does', () => {
    const event = '$aws/events/certificates/registered/abc';
    expect(topicMatches('#', event)).toBe(false);
    expect(topicMatches('+/events/#', event)).toBe(false);
    expect(topicMatches('$aws/events/#', event)).toBe(true);
    expect(topicMatches('$aws/events/certificates/registered/+', event)).toBe(true);
  });

  it('matches a topic with its own name as the filter', () => {
    fc.assert(fc.property(topicName, (topic) => topicMatches(topic, topic)));
  });

  it('matches every non-$ topic with #', () => {
    fc.assert(fc.property(plainTopic, (topic) => topicMatches('#', topic)));
  });

  it('still matches when any one level below the first is replaced by +', () => {
    fc.assert(
      fc.property(topicName, fc.nat(), (topic, pick) => {
        const levels = topic.split('/');
        const index = pick % levels.length;
        if (index === 0 && topic.startsWith('$')) return true;
        levels[index] = '+';
        return topicMatches(levels.join('/'), topic);
      }),
    );
  });

  it('never matches a topic with a different number of levels when the filter has no #', () => {
    fc.assert(
      fc.property(topicName, topicName, (filter, topic) => {
        fc.pre(filter.split('/').length !== topic.split('/').length);
        return !topicMatches(filter.replace(/#/g, 'x'), topic);
      }),
    );
  });
});

describe('topic validation', () => {
  it('rejects wildcards in topic names and misplaced wildcards in filters', () => {
    expect(topicNameProblem('a/+/b')).toBe('WILDCARD_IN_NAME');
    expect(topicNameProblem('')).toBe('EMPTY');
    expect(topicFilterProblem('a/#/b')).toBe('MISPLACED_MULTI_LEVEL');
    expect(topicFilterProblem('a/b#')).toBe('MISPLACED_MULTI_LEVEL');
    expect(topicFilterProblem('a/b+/c')).toBe('MISPLACED_SINGLE_LEVEL');
    expect(topicFilterProblem('a/+/#')).toBeUndefined();
  });

  it('accepts every filter built from plain levels, + levels and a final #', () => {
    const filterLevel = fc.oneof(fc.stringMatching(/^[a-z0-9]{1,5}$/), fc.constant('+'));
    const filter = fc
      .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(([levels, hash]) => [...levels, ...(hash ? ['#'] : [])].join('/'));
    fc.assert(fc.property(filter, (f) => topicFilterProblem(f) === undefined));
  });
});
