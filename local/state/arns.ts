/** The ARNs AWS IoT, SQS and SSM give their resources, for one region and account. */
export interface AccountScope {
  region: string;
  accountId: string;
}

export const caCertificateArn = (scope: AccountScope, id: string) =>
  `arn:aws:iot:${scope.region}:${scope.accountId}:cacert/${id}`;
export const certificateArn = (scope: AccountScope, id: string) =>
  `arn:aws:iot:${scope.region}:${scope.accountId}:cert/${id}`;
export const thingArn = (scope: AccountScope, name: string) =>
  `arn:aws:iot:${scope.region}:${scope.accountId}:thing/${name}`;
export const policyArn = (scope: AccountScope, name: string) =>
  `arn:aws:iot:${scope.region}:${scope.accountId}:policy/${name}`;
export const topicRuleArn = (scope: AccountScope, name: string) =>
  `arn:aws:iot:${scope.region}:${scope.accountId}:rule/${name}`;
export const queueArn = (scope: AccountScope, name: string) => `arn:aws:sqs:${scope.region}:${scope.accountId}:${name}`;
export const parameterArn = (scope: AccountScope, name: string) =>
  `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`;

/** The certificateId at the end of a certificate ARN (`...:cert/<id>`), or undefined for another kind of principal. */
export function certificateIdFromArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:iot:[^:]*:[^:]*:cert\/([0-9a-f]{64})$/.exec(arn);
  return match?.[1];
}
