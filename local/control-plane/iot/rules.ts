import { AwsServiceError, alreadyExists, invalidRequest } from '../../errors.js';
import type { TopicRuleAction, TopicRuleRecord } from '../../state/model.js';
import type { IotContext, IotOperation, IotRequest } from './context.js';
import {
  bodyBoolean,
  bodyString,
  label,
  queryBoolean,
  queryInteger,
  queryString,
  requiredBodyString,
} from './input.js';
import { paginate } from './pagination.js';
import { seconds, topicRule } from './render.js';

const RULE_NAME = /^[a-zA-Z0-9_]{1,128}$/;
const FROM_CLAUSE = /^\s*SELECT\s+[\s\S]+?\s+FROM\s+'([^']*)'/i;

/** AWS answers a rule it does not know with UnauthorizedException (GetTopicRule lists no ResourceNotFoundException). */
const unknownRule = (name: string) => new AwsServiceError('UnauthorizedException', 401, `Rule ${name} does not exist`);

function ruleName(request: IotRequest): string {
  const name = label(request, 'ruleName');
  if (!RULE_NAME.test(name)) throw invalidRequest('ruleName must match [a-zA-Z0-9_]{1,128}');
  return name;
}

/** The topic filter of `SELECT ... FROM '<filter>'`, or SqlParseException. */
export function topicPatternOf(sql: string): string {
  const topic = FROM_CLAUSE.exec(sql)?.[1];
  if (topic === undefined || topic === '') {
    throw new AwsServiceError('SqlParseException', 400, "The SQL must read SELECT ... FROM '<topic filter>'");
  }
  return topic;
}

function action(value: unknown, where: string): TopicRuleAction {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${where} must be an object`);
  const kinds = Object.keys(value);
  if (kinds.length !== 1) throw invalidRequest(`${where} must name exactly one action`);
  return value as TopicRuleAction;
}

/** The TopicRulePayload (the whole request body), kept as given so GetTopicRule returns it faithfully. */
function payload(context: IotContext, request: IotRequest, name: string, createdAt?: number): TopicRuleRecord {
  const sql = requiredBodyString(request, 'sql');
  topicPatternOf(sql);
  const actions = request.body.actions;
  if (!Array.isArray(actions)) throw invalidRequest('actions is required and must be a list');
  const errorAction = request.body.errorAction;
  const description = bodyString(request, 'description');
  const version = bodyString(request, 'awsIotSqlVersion');
  return {
    ruleName: name,
    ruleArn: context.store.ruleArn(name),
    sql,
    ...(description !== undefined ? { description } : {}),
    ...(version !== undefined ? { awsIotSqlVersion: version } : {}),
    ruleDisabled: bodyBoolean(request, 'ruleDisabled') ?? false,
    actions: actions.map((item, i) => action(item, `actions[${i}]`)),
    ...(errorAction !== undefined && errorAction !== null ? { errorAction: action(errorAction, 'errorAction') } : {}),
    createdAt: createdAt ?? context.now(),
  };
}

function createTopicRule(context: IotContext, request: IotRequest) {
  const name = ruleName(request);
  if (context.store.getTopicRule(name)) throw alreadyExists(`Rule ${name} already exists`);
  context.store.createTopicRule(payload(context, request, name));
  return undefined;
}

function requireRule(context: IotContext, name: string): TopicRuleRecord {
  const rule = context.store.getTopicRule(name);
  if (!rule) throw unknownRule(name);
  return rule;
}

function getTopicRule(context: IotContext, request: IotRequest) {
  const rule = requireRule(context, ruleName(request));
  return { ruleArn: rule.ruleArn, rule: topicRule(rule) };
}

function replaceTopicRule(context: IotContext, request: IotRequest) {
  const name = ruleName(request);
  const previous = requireRule(context, name);
  context.store.putTopicRule(payload(context, request, name, previous.createdAt));
  return undefined;
}

function deleteTopicRule(context: IotContext, request: IotRequest) {
  const name = ruleName(request);
  requireRule(context, name);
  context.store.deleteTopicRule(name);
  return undefined;
}

function setDisabled(disabled: boolean) {
  return (context: IotContext, request: IotRequest) => {
    const rule = requireRule(context, ruleName(request));
    context.store.putTopicRule({ ...rule, ruleDisabled: disabled });
    return undefined;
  };
}

function listTopicRules(context: IotContext, request: IotRequest) {
  const topic = queryString(request, 'topic');
  const disabled = queryBoolean(request, 'ruleDisabled');
  const rules = context.store
    .listTopicRules()
    .filter(
      (rule) =>
        (topic === undefined || topicPatternOf(rule.sql) === topic) &&
        (disabled === undefined || rule.ruleDisabled === disabled),
    );
  const token = queryString(request, 'nextToken');
  const page = paginate(rules, {
    sortKey: (rule) => rule.ruleName,
    size: queryInteger(request, 'maxResults', { min: 1, max: 10000 }) ?? 50,
    ...(token === undefined ? {} : { token }),
  });
  return {
    rules: page.items.map((rule) => ({
      ruleArn: rule.ruleArn,
      ruleName: rule.ruleName,
      topicPattern: topicPatternOf(rule.sql),
      createdAt: seconds(rule.createdAt),
      ruleDisabled: rule.ruleDisabled,
    })),
    ...(page.next ? { nextToken: page.next } : {}),
  };
}

export const ruleOperations: IotOperation[] = [
  { name: 'CreateTopicRule', method: 'POST', path: '/rules/{ruleName}', handler: createTopicRule },
  { name: 'GetTopicRule', method: 'GET', path: '/rules/{ruleName}', handler: getTopicRule },
  { name: 'ReplaceTopicRule', method: 'PATCH', path: '/rules/{ruleName}', handler: replaceTopicRule },
  { name: 'DeleteTopicRule', method: 'DELETE', path: '/rules/{ruleName}', handler: deleteTopicRule },
  { name: 'ListTopicRules', method: 'GET', path: '/rules', handler: listTopicRules },
  { name: 'EnableTopicRule', method: 'POST', path: '/rules/{ruleName}/enable', handler: setDisabled(false) },
  { name: 'DisableTopicRule', method: 'POST', path: '/rules/{ruleName}/disable', handler: setDisabled(true) },
];
