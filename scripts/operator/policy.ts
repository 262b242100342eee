/**
 * The least-privilege device policy preconfigure installs, and the checks doctor runs on whatever policy is there.
 * A device may connect only as the Thing its certificate is attached to (client id = thing name), and publish, receive
 * and subscribe only under `<thing>/...` and its own shadow topics.
 */
export interface PolicyScope {
  partition: string;
  region: string;
  accountId: string;
}

// an IoT policy variable, substituted by AWS, not by JavaScript
export const THING = '${iot:Connection.Thing.ThingName}';

export function devicePolicyDocument(scope: PolicyScope): Record<string, unknown> {
  const arn = (kind: string, rest: string) =>
    `arn:${scope.partition}:iot:${scope.region}:${scope.accountId}:${kind}/${rest}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConnectAsOwnThing',
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: arn('client', THING),
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Sid: 'OwnTopics',
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive'],
        Resource: [arn('topic', `${THING}/*`), arn('topic', `$aws/things/${THING}/shadow/*`)],
      },
      {
        Sid: 'OwnTopicFilters',
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: [arn('topicfilter', `${THING}/*`), arn('topicfilter', `$aws/things/${THING}/shadow/*`)],
      },
    ],
  };
}

/** Two policy documents mean the same thing when their JSON values are equal (key order and spacing aside). */
export function samePolicy(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export interface PolicyProblem {
  code: 'POLICY_WILDCARD_ACTION' | 'POLICY_WILDCARD_RESOURCE' | 'POLICY_CONNECT_UNBOUND' | 'POLICY_UNREADABLE';
  message: string;
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

/**
 * Why a policy grants more than a device needs: Allow with `*` / `iot:*` actions, a resource that is `*` or a whole
 * client/topic space with no thing variable, or Connect not bound to the attached thing.
 */
export function policyProblems(documentText: string): PolicyProblem[] {
  let document: unknown;
  try {
    document = JSON.parse(documentText);
  } catch {
    return [{ code: 'POLICY_UNREADABLE', message: 'the policy document is not JSON' }];
  }
  const statements = (document as { Statement?: unknown })?.Statement;
  const problems: PolicyProblem[] = [];
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    if (!statement || typeof statement !== 'object') continue;
    const s = statement as Record<string, unknown>;
    if (s.Effect !== 'Allow') continue;
    const actions = list(s.Action).map((a) => a.toLowerCase());
    const resources = list(s.Resource);
    if (s.NotAction !== undefined || s.NotResource !== undefined) {
      problems.push({ code: 'POLICY_WILDCARD_ACTION', message: 'an Allow statement uses NotAction/NotResource' });
    }
    const wildAction = actions.find((a) => a.includes('*'));
    if (wildAction) problems.push({ code: 'POLICY_WILDCARD_ACTION', message: `Allow of action "${wildAction}"` });
    for (const resource of resources) {
      if (isBroadResource(resource)) {
        problems.push({ code: 'POLICY_WILDCARD_RESOURCE', message: `Allow on resource "${resource}"` });
      }
    }
    if (actions.includes('iot:connect') && !connectBound(s)) {
      problems.push({
        code: 'POLICY_CONNECT_UNBOUND',
        message: 'iot:Connect is not limited to the thing name with iot:Connection.Thing.IsAttached',
      });
    }
  }
  return problems;
}

/** `*`, `arn:...:*`, or a client/topic/topicfilter resource whose name part starts with a wildcard. */
function isBroadResource(resource: string): boolean {
  if (resource === '*') return true;
  const match = /^arn:[^:]*:iot:[^:]*:[^:]*:(.*)$/.exec(resource);
  if (!match) return resource.includes('*');
  const rest = match[1] ?? '';
  if (rest === '*' || !rest.includes('/')) return rest.includes('*');
  const name = rest.slice(rest.indexOf('/') + 1);
  return name.startsWith('*') || name.startsWith('#') || name.startsWith('+');
}

function connectBound(statement: Record<string, unknown>): boolean {
  const resources = list(statement.Resource);
  const bound = resources.every((r) => r.endsWith(`client/${THING}`));
  const condition = statement.Condition as Record<string, Record<string, unknown>> | undefined;
  const attached = condition?.Bool?.['iot:Connection.Thing.IsAttached'];
  return bound && list(attached).some((v) => v.toLowerCase() === 'true');
}
