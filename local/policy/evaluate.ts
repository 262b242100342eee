import type { ConditionClause, PolicyDocument, PolicyStatement } from './document.js';
import { type ConnectionContext, lookupKey, substitutePattern, substituteText } from './variables.js';
import { atomsMatch, globMatches } from './wildcard.js';

/**
 * AWS IoT policy evaluation for the four MQTT actions: an explicit Deny wins, then any Allow, else the default deny.
 * Pure. Anything in a document the evaluator cannot evaluate is reported as a problem with a code; an Allow it cannot
 * evaluate grants nothing and a Deny it cannot evaluate denies (fail closed).
 */
export type IotAction = 'iot:Connect' | 'iot:Publish' | 'iot:RetainPublish' | 'iot:Subscribe' | 'iot:Receive';

export interface AuthorizationRequest {
  action: IotAction;
  /** Full ARN: client/<id>, topic/<name> or topicfilter/<filter>. */
  resource: string;
}

export type PolicyProblemCode =
  'UNSUPPORTED_POLICY_ELEMENT' | 'UNSUPPORTED_CONDITION_OPERATOR' | 'UNKNOWN_POLICY_VARIABLE';

export interface PolicyProblem {
  code: PolicyProblemCode;
  detail: string;
}

export interface Decision {
  allowed: boolean;
  reason: 'ALLOWED' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';
  problems: PolicyProblem[];
}

export interface ArnScope {
  region: string;
  accountId: string;
}

export function clientArn(scope: ArnScope, clientId: string): string {
  return `arn:aws:iot:${scope.region}:${scope.accountId}:client/${clientId}`;
}
export function topicArn(scope: ArnScope, topic: string): string {
  return `arn:aws:iot:${scope.region}:${scope.accountId}:topic/${topic}`;
}
export function topicFilterArn(scope: ArnScope, filter: string): string {
  return `arn:aws:iot:${scope.region}:${scope.accountId}:topicfilter/${filter}`;
}

type Applies = 'yes' | 'no' | 'unknown';

function patternMatches(
  pattern: string,
  value: string,
  context: ConnectionContext,
  problems: PolicyProblem[],
): boolean {
  const substituted = substitutePattern(pattern, context);
  if ('unresolved' in substituted) {
    if (substituted.unknown) problems.push({ code: 'UNKNOWN_POLICY_VARIABLE', detail: substituted.unknown });
    return false;
  }
  return atomsMatch(substituted.atoms, value);
}

const STRING_OPERATORS: Record<string, { like: boolean; negate: boolean; ignoreCase: boolean }> = {
  StringEquals: { like: false, negate: false, ignoreCase: false },
  StringNotEquals: { like: false, negate: true, ignoreCase: false },
  StringEqualsIgnoreCase: { like: false, negate: false, ignoreCase: true },
  StringNotEqualsIgnoreCase: { like: false, negate: true, ignoreCase: true },
  StringLike: { like: true, negate: false, ignoreCase: false },
  StringNotLike: { like: true, negate: true, ignoreCase: false },
};

function conditionHolds(clause: ConditionClause, context: ConnectionContext, problems: PolicyProblem[]): Applies {
  const ifExists = clause.operator.endsWith('IfExists');
  const operator = ifExists ? clause.operator.slice(0, -'IfExists'.length) : clause.operator;
  const lookup = lookupKey(clause.key, context);
  if (lookup.kind === 'unknown') {
    problems.push({ code: 'UNKNOWN_POLICY_VARIABLE', detail: `condition key ${clause.key}` });
    return 'unknown';
  }
  if (operator === 'Bool') {
    if (lookup.kind === 'unresolved') return ifExists ? 'yes' : 'no';
    return clause.values.some((v) => v.toLowerCase() === lookup.value.toLowerCase()) ? 'yes' : 'no';
  }
  const string = STRING_OPERATORS[operator];
  if (!string) {
    problems.push({ code: 'UNSUPPORTED_CONDITION_OPERATOR', detail: clause.operator });
    return 'unknown';
  }
  // IAM: a missing key fails positive operators and satisfies negated ones (and ...IfExists).
  if (lookup.kind === 'unresolved') return ifExists || string.negate ? 'yes' : 'no';
  const actual = lookup.value;
  const anyMatch = clause.values.some((expected) => {
    if (string.like) return patternMatches(expected, actual, context, problems);
    const resolved = substituteText(expected, context);
    if (resolved === undefined) return false;
    return string.ignoreCase ? resolved.toLowerCase() === actual.toLowerCase() : resolved === actual;
  });
  return anyMatch !== string.negate ? 'yes' : 'no';
}

function statementApplies(
  statement: PolicyStatement,
  request: AuthorizationRequest,
  context: ConnectionContext,
  problems: PolicyProblem[],
): Applies {
  if (statement.unsupported.length > 0) {
    problems.push({ code: 'UNSUPPORTED_POLICY_ELEMENT', detail: statement.unsupported.join(', ') });
    return 'unknown';
  }
  if (!statement.actions.some((action) => globMatches(action, request.action, { ignoreCase: true }))) return 'no';
  if (!statement.resources.some((resource) => patternMatches(resource, request.resource, context, problems)))
    return 'no';
  let result: Applies = 'yes';
  for (const clause of statement.conditions) {
    const holds = conditionHolds(clause, context, problems);
    if (holds === 'no') return 'no';
    if (holds === 'unknown') result = 'unknown';
  }
  return result;
}

export function evaluatePolicies(
  documents: readonly PolicyDocument[],
  request: AuthorizationRequest,
  context: ConnectionContext,
): Decision {
  const problems: PolicyProblem[] = [];
  let allowed = false;
  for (const document of documents) {
    for (const statement of document.statements) {
      const applies = statementApplies(statement, request, context, problems);
      if (statement.effect === 'Deny' && applies !== 'no') return { allowed: false, reason: 'EXPLICIT_DENY', problems };
      if (statement.effect === 'Allow' && applies === 'yes') allowed = true;
    }
  }
  return { allowed, reason: allowed ? 'ALLOWED' : 'IMPLICIT_DENY', problems };
}
