import type { IotRequest } from '../../control-plane/iot/context.js';
import { type AuthorizationCheck, arnResourceId } from './check.js';

/**
 * AWS IoT (control plane) requests -> what IAM authorizes. Resource types per action come from the Service Authorization
 * Reference (local/iam/resources.ts); this only says which request fields name which ARN template variables, plus the
 * condition keys and the extra authorizations some operations need.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsiot.html
 */
export function iotChecks(operation: string, request: IotRequest, scope: { region: string; accountId: string }) {
  const { labels, body, headers } = request;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const principal = header('x-amzn-principal');
  const target = text(body.target);
  const thingName = labels.thingName ?? text(body.thingName) ?? arnResourceId(text(body.thingArn), 'thing');
  const identifiers = {
    Certificate: labels.certificateId ?? arnResourceId(principal ?? target, 'cert'),
    CACertificate: labels.certificateId,
    ThingName: thingName,
    ThingGroupName:
      labels.thingGroupName ??
      text(body.thingGroupName) ??
      arnResourceId(text(body.thingGroupArn), 'thinggroup') ??
      arnResourceId(target, 'thinggroup'),
    PolicyName: labels.policyName,
    RuleName: labels.ruleName,
  };
  const checks: AuthorizationCheck[] = [{ action: `iot:${operation}`, identifiers }];
  if (operation === 'AttachThingPrincipal' || operation === 'DetachThingPrincipal') {
    // Authorized on the certificate, with the thing as the iot:thingArn condition key.
    checks[0]!.context = { 'iot:thingArn': `arn:aws:iot:${scope.region}:${scope.accountId}:thing/${thingName ?? ''}` };
  }
  if (operation === 'CreateTopicRule' || operation === 'ReplaceTopicRule') {
    // Giving a rule action a role is passing that role to AWS IoT: the caller needs iam:PassRole on it.
    // https://docs.aws.amazon.com/iot/latest/developerguide/pass-role.html
    for (const roleArn of ruleRoleArns(body)) {
      checks.push({
        action: 'iam:PassRole',
        resource: roleArn,
        context: { 'iam:PassedToService': 'iot.amazonaws.com' },
      });
    }
  }
  return checks;
}

function ruleRoleArns(body: Record<string, unknown>): string[] {
  const actions = [...(Array.isArray(body.actions) ? body.actions : []), body.errorAction];
  const roles = new Set<string>();
  for (const action of actions) {
    if (!action || typeof action !== 'object') continue;
    for (const settings of Object.values(action as Record<string, unknown>)) {
      const roleArn =
        settings && typeof settings === 'object' ? (settings as { roleArn?: unknown }).roleArn : undefined;
      if (typeof roleArn === 'string') roles.add(roleArn);
    }
  }
  return [...roles];
}
