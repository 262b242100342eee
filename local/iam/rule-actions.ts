import type { ServiceIam } from '../lambda/roles.js';
import type { RuleActionAuthorizer } from '../rules/engine.js';
import type { TopicRuleAction, TopicRuleRecord } from '../state/model.js';
import { queueNameOf } from '../state/queues.js';
import type { LocalIam } from './authorizer.js';
import { accessDenied } from './errors.js';

/**
 * IAM for the rules engine, as AWS IoT applies it:
 * - an action with a `roleArn` runs as that role (its trust policy must let `iot.amazonaws.com` assume it), so an SQS
 *   action (the rules' errorAction) needs `sqs:SendMessage` on the queue in that role's policies
 *   (https://docs.aws.amazon.com/iot/latest/developerguide/iot-create-role.html);
 * - a Lambda action invokes only where the function's resource policy allows `iot.amazonaws.com` for this rule
 *   (`AWS:SourceArn` = the rule ARN, `AWS:SourceAccount`) (https://docs.aws.amazon.com/iot/latest/developerguide/lambda-rule-action.html).
 * Other actions are not checked.
 */
export function ruleActionAuthorizer(iam: LocalIam, service: ServiceIam | undefined): RuleActionAuthorizer {
  for (const role of service?.roles.values() ?? []) iam.defineRole(role);
  return async (rule: TopicRuleRecord, action: TopicRuleAction) => {
    const accountId = rule.ruleArn.split(':')[4] ?? '';
    if (action.lambda) {
      const functionArn = action.lambda.functionArn;
      const verdict = await iam.decide(
        'iot.amazonaws.com',
        undefined,
        {
          action: 'lambda:InvokeFunction',
          resource: functionArn,
          context: { 'aws:SourceArn': rule.ruleArn, 'aws:SourceAccount': accountId },
        },
        service?.invokePolicies.get(functionArn) ?? { Version: '2012-10-17', Statement: [] },
      );
      if (verdict.allowed) return undefined;
      return `AWS IoT (iot.amazonaws.com) is not allowed to invoke ${functionArn} from rule ${rule.ruleName}: no resource-based policy of the function allows lambda:InvokeFunction for it`;
    }
    if (action.sqs?.roleArn !== undefined) {
      const role = iam.role(action.sqs.roleArn);
      if (!role || !role.trustedServices.includes('iot.amazonaws.com')) {
        return `AWS IoT cannot assume ${action.sqs.roleArn}: no such role trusts iot.amazonaws.com`;
      }
      const session = `arn:aws:sts::${accountId}:assumed-role/${role.name}/iot-rule-${rule.ruleName}`;
      const verdict = await iam.decide(
        session,
        {
          policies: role.policies,
          policiesKey: `role:${role.arn}:${JSON.stringify(role.policies)}`,
          label: `role ${role.name}`,
          context: {},
        },
        { action: 'sqs:SendMessage', identifiers: { QueueName: queueNameOf(action.sqs.queueUrl) } },
      );
      if (verdict.allowed) return undefined;
      return accessDenied('json', session, verdict.action, verdict.resource, verdict.explicit).message;
    }
    return undefined;
  };
}
