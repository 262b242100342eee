/**
 * MQTT topic names and filters (MQTT 3.1.1 §4.7), as AWS IoT Core applies them.
 * Pure: used by the broker glue, the policy engine (RECEIVE/SUBSCRIBE) and the rules engine (FROM clause).
 */

export type TopicProblem =
  'EMPTY' | 'NUL_CHARACTER' | 'WILDCARD_IN_NAME' | 'MISPLACED_MULTI_LEVEL' | 'MISPLACED_SINGLE_LEVEL';

/** Why `name` is not a valid topic name to publish to, or undefined when it is. */
export function topicNameProblem(name: string): TopicProblem | undefined {
  if (name.length === 0) return 'EMPTY';
  if (name.includes('\u0000')) return 'NUL_CHARACTER';
  if (name.includes('+') || name.includes('#')) return 'WILDCARD_IN_NAME';
  return undefined;
}

/** Why `filter` is not a valid topic filter to subscribe to, or undefined when it is. */
export function topicFilterProblem(filter: string): TopicProblem | undefined {
  if (filter.length === 0) return 'EMPTY';
  if (filter.includes('\u0000')) return 'NUL_CHARACTER';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? '';
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) return 'MISPLACED_MULTI_LEVEL';
    if (level.includes('+') && level !== '+') return 'MISPLACED_SINGLE_LEVEL';
  }
  return undefined;
}

/**
 * Whether a topic name matches a topic filter. `+` matches exactly one level, `#` the parent level and any number
 * of levels below; a wildcard in the first level never matches a topic starting with `$` (MQTT 3.1.1 §4.7.2),
 * so `#` does not receive `$aws/events/...` but `$aws/events/#` does.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const want = filterLevels[i];
    if (want === '#') return true;
    const have = topicLevels[i];
    if (have === undefined) return false;
    if (want !== '+' && want !== have) return false;
  }
  return filterLevels.length === topicLevels.length;
}
