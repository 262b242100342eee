/**
 * Names of the deployed pipeline, as serverless.yml gives them (test/unit/operator/deployment.test.ts checks that the
 * two agree): service `jitr`, functions `jitr-<stage>-<key>`, the DLQ, the fleet configuration parameter, and the
 * topic-rule prefix the Lambda invoke permission covers.
 */
export const SERVICE = 'jitr';
export const RULE_PREFIX = 'jitr_';
export const DEFAULT_STAGE = 'dev';
export const DEFAULT_POLICY_NAME = 'jitr-device';

const STAGE = /^[a-zA-Z0-9-]{1,32}$/;

export function isStage(stage: string): boolean {
  return STAGE.test(stage);
}

export interface Deployment {
  stage: string;
  region: string;
  accountId: string;
  partition: string;
  fleetConfigParameter: string;
  deadLetterQueueName: string;
  /**
   * The DLQ's URL in the form AWS gives it, composed rather than looked up so that the rules preconfigure writes do
   * not depend on the queue existing yet (locally it appears when a function first runs) and stay byte-identical.
   */
  deadLetterQueueUrl: string;
  onboardFunctionName: string;
  onboardFunctionArn: string;
  /** Role the rules' errorAction assumes to send to the DLQ. */
  ruleErrorRoleArn: string;
}

export const fleetConfigParameterName = (stage: string) => `/${SERVICE}/${stage}/fleet-config`;
export const deadLetterQueueName = (stage: string) => `${SERVICE}-${stage}-onboard-dlq`;
export const onboardFunctionName = (stage: string) => `${SERVICE}-${stage}-onboard`;
/**
 * The error-action role. CloudFormation names it unless serverless.yml sets RoleName; preconfigure takes
 * `--error-role-arn` for a deployment whose role has a generated name.
 */
export const ruleErrorRoleName = (stage: string) => `${SERVICE}-${stage}-iot-rule-error`;

/** One rule per trusted CA and stage: `jitr_<stage>_<caId>` (rule names allow [a-zA-Z0-9_] only). */
export function ruleNameFor(stage: string, caCertificateId: string): string {
  return `${RULE_PREFIX}${stage.replace(/[^a-zA-Z0-9_]/g, '_')}_${caCertificateId.toLowerCase()}`;
}

/** The CA a rule of this stage serves, from its name; undefined for rules that are not ours. */
export function caIdOfRule(stage: string, ruleName: string): string | undefined {
  const prefix = `${RULE_PREFIX}${stage.replace(/[^a-zA-Z0-9_]/g, '_')}_`;
  if (!ruleName.startsWith(prefix)) return undefined;
  const rest = ruleName.slice(prefix.length);
  return /^[0-9a-f]{64}$/.test(rest) ? rest : undefined;
}

export function deploymentFor(input: {
  stage: string;
  region: string;
  accountId: string;
  functionArn?: string;
  errorRoleArn?: string;
}): Deployment {
  const partition = partitionOf(input.region);
  const functionName = onboardFunctionName(input.stage);
  return {
    stage: input.stage,
    region: input.region,
    accountId: input.accountId,
    partition,
    fleetConfigParameter: fleetConfigParameterName(input.stage),
    deadLetterQueueName: deadLetterQueueName(input.stage),
    deadLetterQueueUrl: `https://sqs.${input.region}.${domainOf(partition)}/${input.accountId}/${deadLetterQueueName(input.stage)}`,
    onboardFunctionName: functionName,
    onboardFunctionArn:
      input.functionArn ?? `arn:${partition}:lambda:${input.region}:${input.accountId}:function:${functionName}`,
    ruleErrorRoleArn:
      input.errorRoleArn ?? `arn:${partition}:iam::${input.accountId}:role/${ruleErrorRoleName(input.stage)}`,
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function domainOf(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9$_-]+)?$/;
