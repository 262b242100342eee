import { randomUUID } from 'node:crypto';
import type { TopicRuleAction, TopicRuleRecord } from '../state/model.js';
import { queueNameOf } from '../state/queues.js';
import type { RegistryStore } from '../state/store.js';
import { RuleSqlError } from './errors.js';
import { type RuleMessage, runRuleQuery } from './evaluate.js';
import { parseRuleSql, type RuleQuery } from './sql.js';

/** A message the broker carried (the gateway's BrokerMessage). */
export interface EngineMessage {
  topic: string;
  payload: Buffer;
  clientId?: string;
}

export type RuleErrorCode =
  | 'SQL_SYNTAX'
  | 'SQL_UNSUPPORTED'
  | 'SQL_INVALID_TOPIC_FILTER'
  | 'UNSUPPORTED_ACTION'
  | 'FUNCTION_NOT_FOUND'
  | 'QUEUE_NOT_FOUND'
  | 'REPUBLISH_FAILED'
  | 'ACCESS_DENIED'
  | 'ERROR_ACTION_FAILED';

export interface RuleError {
  ruleName: string;
  code: RuleErrorCode;
  message: string;
  at: number;
}

export interface LambdaInvoker {
  invokeAsync(functionArn: string, event: unknown): { accepted: true } | { accepted: false; code: string };
}

/**
 * IAM for rule actions: whether AWS IoT may run `action` of `rule` (assume the action's roleArn and act with it; invoke a
 * function whose resource policy allows the rule). Resolves to undefined when allowed, else the AWS error message.
 */
export type RuleActionAuthorizer = (rule: TopicRuleRecord, action: TopicRuleAction) => Promise<string | undefined>;

export interface RulesEngineOptions {
  store: RegistryStore;
  /** Publishes as the service (republish actions). */
  publish: (topic: string, payload: Buffer) => Promise<void>;
  /** Absent when no serverless.yml is loaded: every lambda action then cannot run. */
  lambda?: LambdaInvoker;
  log?: (line: { event: string; code?: string; [field: string]: unknown }) => void;
  now?: () => number;
  /** Absent: every action runs (IAM off). */
  authorize?: RuleActionAuthorizer;
}

type LoadedRule = { record: TopicRuleRecord; query?: RuleQuery };

const MAX_ERRORS = 1000;

/** AWS IoT rules for the local broker: matches every message against the enabled rules and runs their actions. */
export class RulesEngine {
  private readonly rules = new Map<string, LoadedRule>();
  private readonly recorded: RuleError[] = [];
  private readonly onChange = (name: string, rule: TopicRuleRecord | undefined) => this.load(name, rule);

  constructor(private readonly options: RulesEngineOptions) {
    for (const rule of options.store.listTopicRules()) this.load(rule.ruleName, rule);
    options.store.events.on('topic-rules-changed', this.onChange);
  }

  /** Problems found so far: rules whose SQL cannot be evaluated, and actions that could not run. */
  errors(): readonly RuleError[] {
    return this.recorded;
  }

  stop(): void {
    this.options.store.events.off('topic-rules-changed', this.onChange);
  }

  handle(message: EngineMessage): void {
    const now = this.options.now?.() ?? Date.now();
    const input: RuleMessage = { topic: message.topic, payload: message.payload, timestamp: now };
    if (message.clientId !== undefined) input.clientId = message.clientId;
    for (const { record, query } of this.rules.values()) {
      if (record.ruleDisabled || !query) continue;
      const outcome = runRuleQuery(query, input);
      if (!outcome.matched) continue;
      this.options.log?.({ event: 'rule-matched', ruleName: record.ruleName, topic: message.topic });
      const authorize = this.options.authorize;
      if (!authorize) {
        this.runActions(record, outcome.output, input, []);
        continue;
      }
      Promise.all(record.actions.map((action) => authorize(record, action)))
        .then((denials) => this.runActions(record, outcome.output, input, denials))
        .catch((error: Error) => this.report(record.ruleName, 'ACCESS_DENIED', error.message));
    }
  }

  /** Runs the rule's actions (`denials[i]`: action i was refused by IAM, with that message), then errorAction. */
  private runActions(record: TopicRuleRecord, output: Buffer, input: RuleMessage, denials: (string | undefined)[]) {
    const failures: { failedAction: string; failedResource: string; errorMessage: string }[] = [];
    record.actions.forEach((action, i) => {
      const denial = denials[i];
      const failure = denial ? this.deny(record, action, denial) : this.run(record, action, output, input);
      if (failure) failures.push(failure);
    });
    if (failures.length > 0 && record.errorAction) this.runErrorAction(record, input, failures);
  }

  private deny(record: TopicRuleRecord, action: TopicRuleAction, message: string) {
    this.report(record.ruleName, 'ACCESS_DENIED', message);
    const kind = Object.keys(action)[0] ?? 'empty';
    const resource = action.lambda?.functionArn ?? action.sqs?.queueUrl ?? action.republish?.topic ?? kind;
    return {
      failedAction: `${kind.charAt(0).toUpperCase()}${kind.slice(1)}Action`,
      failedResource: resource,
      errorMessage: message,
    };
  }

  private load(name: string, record: TopicRuleRecord | undefined): void {
    if (!record) {
      this.rules.delete(name);
      return;
    }
    try {
      this.rules.set(name, { record, query: parseRuleSql(record.sql) });
    } catch (error) {
      this.rules.set(name, { record });
      const code = error instanceof RuleSqlError ? (error.code as RuleErrorCode) : 'SQL_SYNTAX';
      this.report(name, code, `${(error as Error).message} in: ${record.sql}`);
    }
  }

  /** Runs one action; returns its failure when the action itself could not run (what triggers errorAction). */
  private run(record: TopicRuleRecord, action: TopicRuleAction, output: Buffer, message: RuleMessage) {
    const fail = (code: RuleErrorCode, failedAction: string, failedResource: string, errorMessage: string) => {
      this.report(record.ruleName, code, errorMessage);
      return { failedAction, failedResource, errorMessage };
    };
    if (action.lambda) {
      const arn = action.lambda.functionArn;
      const accepted = this.options.lambda?.invokeAsync(arn, lambdaEvent(output));
      if (!accepted?.accepted) return fail('FUNCTION_NOT_FOUND', 'LambdaAction', arn, `Function not found: ${arn}`);
      return undefined;
    }
    if (action.sqs) {
      const name = queueNameOf(action.sqs.queueUrl);
      const body = action.sqs.useBase64 ? output.toString('base64') : output.toString('utf8');
      const sent = this.options.store.queues.send(name, body, this.options.now?.() ?? Date.now());
      if (!sent) return fail('QUEUE_NOT_FOUND', 'SqsAction', action.sqs.queueUrl, `Queue does not exist: ${name}`);
      return undefined;
    }
    if (action.republish) {
      const topic = republishTopic(action.republish.topic, message);
      if (topic === undefined) {
        return fail(
          'UNSUPPORTED_ACTION',
          'RepublishAction',
          action.republish.topic,
          'unsupported substitution template',
        );
      }
      this.options.publish(topic, output).catch((error: Error) => {
        // Asynchronous failure: errorAction semantics still apply.
        const failure = fail('REPUBLISH_FAILED', 'RepublishAction', topic, error.message);
        if (record.errorAction) this.runErrorAction(record, message, [failure]);
      });
      return undefined;
    }
    const kind = Object.keys(action).join(',') || 'empty';
    return fail('UNSUPPORTED_ACTION', kind, kind, `action ${kind} is not supported by the local rules engine`);
  }

  private runErrorAction(
    record: TopicRuleRecord,
    message: RuleMessage,
    failures: { failedAction: string; failedResource: string; errorMessage: string }[],
  ): void {
    const errorAction = record.errorAction;
    if (!errorAction) return;
    // AWS's error action message format.
    const body: Record<string, unknown> = {
      ruleName: record.ruleName,
      topic: message.topic,
      cloudwatchTraceId: randomUUID(),
      base64OriginalPayload: message.payload.toString('base64'),
      failures,
    };
    if (message.clientId !== undefined) body.clientId = message.clientId;
    const send = (denial: string | undefined) => {
      const failure = denial
        ? { errorMessage: denial }
        : this.run(record, errorAction, Buffer.from(JSON.stringify(body)), message);
      if (failure) this.report(record.ruleName, 'ERROR_ACTION_FAILED', failure.errorMessage);
    };
    if (!this.options.authorize) send(undefined);
    else
      this.options
        .authorize(record, errorAction)
        .then(send)
        .catch((error: Error) => send(error.message));
  }

  private report(ruleName: string, code: RuleErrorCode, message: string): void {
    this.recorded.push({ ruleName, code, message, at: this.options.now?.() ?? Date.now() });
    if (this.recorded.length > MAX_ERRORS) this.recorded.shift();
    this.options.log?.({ event: 'rule-error', code, ruleName, message });
  }
}

/** The Lambda action passes a JSON payload as the event object; anything else as its base64 text. */
function lambdaEvent(output: Buffer): unknown {
  try {
    return JSON.parse(output.toString('utf8'));
  } catch {
    return output.toString('base64');
  }
}

/** Republish topics may use ${topic()}, ${topic(n)}, ${clientid()} and ${timestamp()}; undefined for others. */
function republishTopic(template: string, message: RuleMessage): string | undefined {
  let unsupported = false;
  const topic = template.replace(/\$\{([^}]*)\}/g, (_m, expression: string) => {
    const trimmed = expression.trim().toLowerCase();
    if (trimmed === 'topic()') return message.topic;
    const level = /^topic\((\d+)\)$/.exec(trimmed);
    if (level) return message.topic.split('/')[Number(level[1]) - 1] ?? '';
    if (trimmed === 'clientid()') return message.clientId ?? '';
    if (trimmed === 'timestamp()') return String(message.timestamp);
    unsupported = true;
    return '';
  });
  return unsupported ? undefined : topic;
}
