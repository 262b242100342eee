import type { NamedPolicy, PolicyDocument } from '../iam/evaluate.js';
import { LambdaRunnerError } from './errors.js';
import { type IntrinsicContext, resolveIntrinsic } from './intrinsics.js';
import type { VariableResolver } from './variables.js';

/**
 * The IAM side of serverless.yml as `serverless package` would deploy it: the provider's default execution role
 * (`<service>-<stage>-<region>-lambdaRole`, the framework's log statements plus `provider.iam.role.statements`), the
 * stack's AWS::IAM::Role resources (a function's `role: <LogicalId>`, the rules' error-action role), and each function's
 * resource policy from AWS::Lambda::Permission resources.
 */
export interface LocalRole {
  logicalId: string;
  name: string;
  arn: string;
  policies: NamedPolicy[];
  /** Service principals the trust policy lets assume the role (`lambda.amazonaws.com`, `iot.amazonaws.com`). */
  trustedServices: string[];
}

export interface ServiceIam {
  /** Role ARN -> role. */
  roles: Map<string, LocalRole>;
  /** Function key -> its execution role. */
  executionRoles: Map<string, LocalRole>;
  /** Function ARN -> resource policy built from AWS::Lambda::Permission resources. */
  invokePolicies: Map<string, PolicyDocument>;
}

type Resources = Record<string, { Type: string; Properties?: unknown }>;

/** CloudFormation values with intrinsics anywhere inside, resolved to plain JSON. */
export function resolveDeep(value: unknown, context: IntrinsicContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveDeep(item, context));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    const [key] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return resolveIntrinsic(value, context);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveDeep(v, context)]));
  }
  return value;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export function loadServiceIam(input: {
  raw: unknown;
  variables: VariableResolver;
  context: IntrinsicContext;
  serviceName: string;
  stage: string;
  functions: { key: string; name: string; arn: string; role?: unknown }[];
}): ServiceIam {
  const { variables, context, serviceName, stage } = input;
  const resolve = (value: unknown) => resolveDeep(variables.resolve(value), context);
  const raw = asRecord(input.raw);
  const resources = asRecord(asRecord(raw.resources).Resources) as Resources;
  const roleArn = (name: string) => `arn:aws:iam::${context.accountId}:role/${name}`;

  const roles = new Map<string, LocalRole>();
  const byLogicalId = new Map<string, LocalRole>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = asRecord(resolve(resource.Properties ?? {}));
    // CloudFormation names a role without RoleName `<stack>-<LogicalId>-<suffix>`.
    const name =
      typeof properties.RoleName === 'string' ? properties.RoleName : `${context.stackName}-${logicalId}-LOCAL`;
    const policies = (Array.isArray(properties.Policies) ? properties.Policies : []).map((policy, i) => {
      const entry = asRecord(policy);
      return {
        name: typeof entry.PolicyName === 'string' ? entry.PolicyName : `${logicalId}-${i}`,
        document: asRecord(entry.PolicyDocument) as unknown as PolicyDocument,
      };
    });
    const role = { logicalId, name, arn: roleArn(name), policies, trustedServices: trustedServices(properties) };
    roles.set(role.arn, role);
    byLogicalId.set(logicalId, role);
  }

  const provider = asRecord(raw.provider);
  const statements = asRecord(asRecord(provider.iam).role).statements ?? provider.iamRoleStatements ?? [];
  const defaultName = `${serviceName}-${stage}-${context.region}-lambdaRole`;
  const logGroups = `arn:aws:logs:${context.region}:${context.accountId}:log-group:/aws/lambda/${serviceName}-${stage}*`;
  const defaultRole: LocalRole = {
    logicalId: 'IamRoleLambdaExecution',
    name: defaultName,
    arn: roleArn(defaultName),
    policies: [
      {
        name: `${serviceName}-${stage}-lambda`,
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:TagResource'],
              Resource: [`${logGroups}:*`],
            },
            { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [`${logGroups}:*:*`] },
            ...(resolve(statements) as unknown[]),
          ],
        },
      },
    ],
    trustedServices: ['lambda.amazonaws.com'],
  };
  roles.set(defaultRole.arn, defaultRole);

  const executionRoles = new Map<string, LocalRole>();
  for (const fn of input.functions) {
    const role = fn.role === undefined ? defaultRole : byLogicalId.get(String(fn.role));
    if (!role) {
      throw new LambdaRunnerError(
        'UNSUPPORTED_INTRINSIC',
        `${fn.key}: role ${JSON.stringify(fn.role)} is not an AWS::IAM::Role of this service`,
      );
    }
    executionRoles.set(fn.key, role);
  }

  const invokePolicies = new Map<string, PolicyDocument>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Permission') continue;
    const properties = asRecord(resolve(resource.Properties ?? {}));
    const functionArn = String(properties.FunctionName ?? '');
    const condition: Record<string, Record<string, string>> = {};
    if (typeof properties.SourceAccount === 'string') {
      condition.StringEquals = { 'AWS:SourceAccount': properties.SourceAccount };
    }
    if (typeof properties.SourceArn === 'string') condition.ArnLike = { 'AWS:SourceArn': properties.SourceArn };
    const statement = {
      Sid: logicalId,
      Effect: 'Allow',
      Principal: { Service: String(properties.Principal ?? '') },
      Action: String(properties.Action ?? 'lambda:InvokeFunction'),
      Resource: functionArn,
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
    const policy = invokePolicies.get(functionArn) ?? { Version: '2012-10-17', Statement: [] as unknown[] };
    (policy.Statement as unknown[]).push(statement);
    invokePolicies.set(functionArn, policy);
  }
  return { roles, executionRoles, invokePolicies };
}

function trustedServices(properties: Record<string, unknown>): string[] {
  const statements = asRecord(properties.AssumeRolePolicyDocument).Statement;
  const services: string[] = [];
  for (const statement of Array.isArray(statements) ? statements : []) {
    const entry = asRecord(statement);
    if (entry.Effect !== 'Allow') continue;
    const service = asRecord(entry.Principal).Service;
    services.push(...[service ?? []].flat().map(String));
  }
  return services;
}
