import { LambdaRunnerError } from './errors.js';

/**
 * CloudFormation intrinsics in serverless.yml mapped to their local equivalents:
 *   Ref: <SQS queue>                     -> the local queue URL
 *   Fn::GetAtt: [<SQS queue>, Arn|QueueName|QueueUrl] -> arn:aws:sqs:<region>:<account>:<name> | name | URL
 *   Ref / Fn::GetAtt [<DynamoDB table>, Arn]   -> the table name / arn:aws:dynamodb:<region>:<account>:table/<name>
 *   Ref / Fn::GetAtt [<Fn>LambdaFunction, Arn] -> the function's name / ARN
 *   Ref: AWS::Region | AWS::AccountId | AWS::Partition | AWS::StackName, Fn::Join, Fn::Sub
 * Anything else throws UNSUPPORTED_INTRINSIC naming what was found.
 */
export interface IntrinsicContext {
  region: string;
  accountId: string;
  stackName: string;
  /** Logical id -> local queue name, for AWS::SQS::Queue resources. */
  queues: Map<string, string>;
  /** Logical id -> table name, for AWS::DynamoDB::Table resources. */
  tables: Map<string, string>;
  /** Logical id (`OnboardLambdaFunction`) -> function name. */
  functions: Map<string, string>;
  queueUrl: (name: string) => string;
}

function ref(id: string, ctx: IntrinsicContext): string {
  switch (id) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const queue = ctx.queues.get(id);
  if (queue !== undefined) return ctx.queueUrl(queue);
  const table = ctx.tables.get(id);
  if (table !== undefined) return table;
  const fn = ctx.functions.get(id);
  if (fn !== undefined) return fn;
  throw new LambdaRunnerError('UNSUPPORTED_INTRINSIC', `Ref: ${id} has no local equivalent`);
}

function getAtt(id: string, attribute: string, ctx: IntrinsicContext): string {
  const queue = ctx.queues.get(id);
  if (queue !== undefined) {
    if (attribute === 'Arn') return `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${queue}`;
    if (attribute === 'QueueName') return queue;
    if (attribute === 'QueueUrl') return ctx.queueUrl(queue);
  }
  const table = ctx.tables.get(id);
  if (table !== undefined && attribute === 'Arn')
    return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${table}`;
  const fn = ctx.functions.get(id);
  if (fn !== undefined && attribute === 'Arn') return `arn:aws:lambda:${ctx.region}:${ctx.accountId}:function:${fn}`;
  throw new LambdaRunnerError('UNSUPPORTED_INTRINSIC', `Fn::GetAtt: ${id}.${attribute} has no local equivalent`);
}

function sub(template: string, ctx: IntrinsicContext): string {
  return template.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
    const dot = name.indexOf('.');
    return dot < 0 || name.startsWith('AWS::') ? ref(name, ctx) : getAtt(name.slice(0, dot), name.slice(dot + 1), ctx);
  });
}

/** Resolves a value that may be a string, number, boolean or one intrinsic function object to a string. */
export function resolveIntrinsic(value: unknown, ctx: IntrinsicContext): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined) {
      if (key === 'Ref' && typeof argument === 'string') return ref(argument, ctx);
      if (key === 'Fn::GetAtt') {
        const parts = typeof argument === 'string' ? argument.split('.') : argument;
        if (Array.isArray(parts) && parts.length === 2 && parts.every((p) => typeof p === 'string')) {
          return getAtt(parts[0] as string, parts[1] as string, ctx);
        }
      }
      if (
        key === 'Fn::Join' &&
        Array.isArray(argument) &&
        typeof argument[0] === 'string' &&
        Array.isArray(argument[1])
      ) {
        return argument[1].map((part: unknown) => resolveIntrinsic(part, ctx)).join(argument[0]);
      }
      if (key === 'Fn::Sub' && typeof argument === 'string') return sub(argument, ctx);
      throw new LambdaRunnerError('UNSUPPORTED_INTRINSIC', `${key} is not supported locally`);
    }
  }
  throw new LambdaRunnerError('UNSUPPORTED_INTRINSIC', `cannot turn ${JSON.stringify(value)} into a string`);
}
