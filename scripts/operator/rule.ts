import type { TopicRule, TopicRulePayload } from '@aws-sdk/client-iot';
import type { Deployment } from './deployment.js';
import { canonical } from './policy.js';

export const REGISTERED_TOPIC_PREFIX = '$aws/events/certificates/registered/';

export function registeredEventsSql(caCertificateId: string): string {
  return `SELECT * FROM '${REGISTERED_TOPIC_PREFIX}${caCertificateId}'`;
}

/** The topic rule of one trusted CA: its registration events to the onboard Lambda, failures of that to the DLQ. */
export function desiredRule(deployment: Deployment, caCertificateId: string, queueUrl: string): TopicRulePayload {
  return {
    sql: registeredEventsSql(caCertificateId),
    awsIotSqlVersion: '2016-03-23',
    description: `jitr ${deployment.stage}: onboard devices of CA ${caCertificateId}`,
    ruleDisabled: false,
    actions: [{ lambda: { functionArn: deployment.onboardFunctionArn } }],
    errorAction: { sqs: { queueUrl, roleArn: deployment.ruleErrorRoleArn, useBase64: false } },
  };
}

/** The parts of a rule that decide what it does; descriptions and SQL version aside. */
function essence(rule: TopicRule | TopicRulePayload): string {
  return canonical({
    sql: rule.sql?.replace(/\s+/g, ' ').trim(),
    disabled: rule.ruleDisabled === true,
    actions: (rule.actions ?? []).map(stripUndefined),
    errorAction: rule.errorAction ? stripUndefined(rule.errorAction) : undefined,
  });
}

function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

export function ruleUpToDate(existing: TopicRule, desired: TopicRulePayload): boolean {
  return essence(existing) === essence(desired);
}

/** The Lambda function ARNs a rule invokes. */
export function lambdaTargets(rule: TopicRule): string[] {
  return (rule.actions ?? []).flatMap((action) => (action.lambda?.functionArn ? [action.lambda.functionArn] : []));
}
