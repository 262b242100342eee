import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { queueNameOf } from '../state/queues.js';
import { LambdaRunnerError } from './errors.js';
import { type IntrinsicContext, resolveIntrinsic } from './intrinsics.js';
import { type LocalTable, localTable } from './tables.js';
import { loadServiceIam, type ServiceIam } from './roles.js';
import { VariableResolver } from './variables.js';

/** A function of serverless.yml as the local runner deploys it. */
export interface LocalFunction {
  /** Key under `functions:` (`onboard`). */
  key: string;
  /** Deployed name, `<service>-<stage>-<key>` unless `name:` says otherwise. */
  name: string;
  arn: string;
  /** `functions/onboard/handler.handler`: module path without extension, then the export. */
  handler: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
  /** Retries of an asynchronous invocation after a function error (AWS default 2). */
  maximumRetryAttempts: number;
  /** Local queue name of the on-failure destination, if any. */
  onFailureQueue?: string;
}

export interface LocalQueue {
  logicalId: string;
  name: string;
}

export interface LocalService {
  directory: string;
  service: string;
  stage: string;
  region: string;
  accountId: string;
  functions: Map<string, LocalFunction>;
  /** AWS::SQS::Queue resources, which the emulator creates locally. */
  queues: LocalQueue[];
  /** AWS::DynamoDB::Table resources, which the emulator creates locally. */
  tables: LocalTable[];
  /** Execution roles, the stack's other roles, and the functions' resource policies (IAM in the emulator). */
  iam: ServiceIam;
  esbuild: LocalEsbuildOptions;
}

/**
 * serverless.yml's `custom.esbuild`, the options of serverless-esbuild the emulator builds with too, so that a local
 * Lambda runs the code that ships (minified, tree-shaken, with the same aliases and plugins), not another build of it.
 */
export interface LocalEsbuildOptions {
  format: 'cjs' | 'esm';
  mainFields?: string[];
  minify?: boolean;
  treeShaking?: boolean;
  keepNames?: boolean;
  legalComments?: 'none' | 'inline' | 'eof' | 'linked' | 'external';
  /** Module name -> replacement; relative replacements resolved against the service directory. */
  alias?: Record<string, string>;
  /** Path (relative to the service directory) of a CommonJS module exporting esbuild plugins. */
  plugins?: string;
}

export interface LoadServiceOptions {
  region: string;
  accountId: string;
  stage?: string;
  queueUrl: (name: string) => string;
  env?: Record<string, string | undefined>;
}

const functionSchema = z
  .object({
    handler: z.string(),
    name: z.string().optional(),
    environment: z.record(z.string(), z.unknown()).optional(),
    timeout: z.number().optional(),
    memorySize: z.number().optional(),
    maximumRetryAttempts: z.number().int().min(0).max(2).optional(),
    destinations: z.object({ onFailure: z.unknown().optional() }).passthrough().optional(),
  })
  .passthrough();

const serviceSchema = z
  .object({
    service: z.union([z.string(), z.object({ name: z.string() }).passthrough()]),
    provider: z
      .object({
        environment: z.record(z.string(), z.unknown()).optional(),
        timeout: z.number().optional(),
        memorySize: z.number().optional(),
      })
      .passthrough(),
    functions: z.record(z.string(), functionSchema).optional(),
    custom: z
      .object({ esbuild: z.record(z.string(), z.unknown()).optional() })
      .passthrough()
      .optional(),
    resources: z
      .object({
        Resources: z.record(z.string(), z.object({ Type: z.string(), Properties: z.unknown().optional() })).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** `onboard` -> `OnboardLambdaFunction`, as the Serverless Framework names a function's CloudFormation resource. */
export function functionLogicalId(key: string): string {
  const normalised = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalised.charAt(0).toUpperCase()}${normalised.slice(1)}LambdaFunction`;
}

/** Reads `<directory>/serverless.yml` and resolves what running its functions locally needs. */
export function loadService(directory: string, options: LoadServiceOptions): LocalService {
  const file = join(directory, 'serverless.yml');
  if (!existsSync(file)) throw new LambdaRunnerError('SERVICE_NOT_FOUND', `no serverless.yml in ${directory}`);
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LambdaRunnerError('SERVICE_INVALID', `serverless.yml is not valid YAML: ${(error as Error).message}`);
  }
  const checked = serviceSchema.safeParse(raw);
  if (!checked.success) {
    const issues = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new LambdaRunnerError('SERVICE_INVALID', `serverless.yml: ${issues}`);
  }
  const env = options.env ?? process.env;
  const stageOption = options.stage;
  const provisional = new VariableResolver(raw, {
    stage: stageOption ?? 'dev',
    region: options.region,
    accountId: options.accountId,
    options: { stage: stageOption, region: options.region },
    env,
  });
  const config = checked.data;
  const stage = String(stageOption ?? provisional.resolve((config.provider as Record<string, unknown>).stage ?? 'dev'));
  const variables = new VariableResolver(raw, {
    stage,
    region: options.region,
    accountId: options.accountId,
    options: { stage, region: options.region },
    env,
  });
  const serviceName = String(
    variables.resolve(typeof config.service === 'string' ? config.service : config.service.name),
  );

  const context: IntrinsicContext = {
    region: options.region,
    accountId: options.accountId,
    stackName: `${serviceName}-${stage}`,
    queues: new Map(),
    tables: new Map(),
    functions: new Map(),
    queueUrl: options.queueUrl,
  };
  const queues: LocalQueue[] = [];
  const tables: LocalTable[] = [];
  for (const [logicalId, resource] of Object.entries(config.resources?.Resources ?? {})) {
    if (resource.Type === 'AWS::DynamoDB::Table') {
      const properties = variables.resolve(resource.Properties ?? {}) as Record<string, unknown>;
      const table = localTable(logicalId, properties, `${serviceName}-${stage}-${logicalId}`);
      context.tables.set(logicalId, table.name);
      tables.push(table);
      continue;
    }
    if (resource.Type !== 'AWS::SQS::Queue') continue;
    const properties = variables.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const name =
      typeof properties.QueueName === 'string' ? properties.QueueName : `${serviceName}-${stage}-${logicalId}`;
    context.queues.set(logicalId, name);
    queues.push({ logicalId, name });
  }
  const entries = Object.entries(config.functions ?? {});
  const names = new Map<string, string>();
  for (const [key, fn] of entries) {
    const name = fn.name !== undefined ? String(variables.resolve(fn.name)) : `${serviceName}-${stage}-${key}`;
    names.set(key, name);
    context.functions.set(functionLogicalId(key), name);
  }

  const providerEnv = (config.provider.environment ?? {}) as Record<string, unknown>;
  const functions = new Map<string, LocalFunction>();
  for (const [key, fn] of entries) {
    const name = names.get(key) ?? key;
    const environment: Record<string, string> = {};
    for (const [variable, value] of Object.entries({ ...providerEnv, ...(fn.environment ?? {}) })) {
      environment[variable] = resolveIntrinsic(variables.resolve(value), context);
    }
    const local: LocalFunction = {
      key,
      name,
      arn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`,
      handler: fn.handler,
      environment,
      timeoutSeconds: fn.timeout ?? config.provider.timeout ?? 6,
      memorySize: fn.memorySize ?? config.provider.memorySize ?? 1024,
      maximumRetryAttempts: fn.maximumRetryAttempts ?? 2,
    };
    const onFailure = fn.destinations?.onFailure;
    if (onFailure !== undefined) local.onFailureQueue = onFailureQueue(variables.resolve(onFailure), context, key);
    functions.set(name, local);
  }
  const iam = loadServiceIam({
    raw,
    variables,
    context,
    serviceName,
    stage,
    functions: entries.map(([key, fn]) => ({
      key,
      name: names.get(key) ?? key,
      arn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${names.get(key) ?? key}`,
      ...(fn.role !== undefined ? { role: variables.resolve(fn.role) } : {}),
    })),
  });
  const esbuild = (config.custom?.esbuild ?? {}) as Record<string, unknown>;
  return {
    iam,
    directory,
    service: serviceName,
    stage,
    region: options.region,
    accountId: options.accountId,
    functions,
    queues,
    tables,
    esbuild: esbuildOptions(esbuild),
  };
}

const LEGAL_COMMENTS = new Set(['none', 'inline', 'eof', 'linked', 'external']);

function esbuildOptions(esbuild: Record<string, unknown>): LocalEsbuildOptions {
  const flag = (name: string) => (typeof esbuild[name] === 'boolean' ? { [name]: esbuild[name] as boolean } : {});
  const alias =
    esbuild.alias && typeof esbuild.alias === 'object'
      ? Object.fromEntries(Object.entries(esbuild.alias as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
      : undefined;
  return {
    format: esbuild.format === 'esm' ? 'esm' : 'cjs',
    ...(Array.isArray(esbuild.mainFields) ? { mainFields: esbuild.mainFields.map(String) } : {}),
    ...flag('minify'),
    ...flag('treeShaking'),
    ...flag('keepNames'),
    ...(typeof esbuild.legalComments === 'string' && LEGAL_COMMENTS.has(esbuild.legalComments)
      ? { legalComments: esbuild.legalComments as LocalEsbuildOptions['legalComments'] }
      : {}),
    ...(alias ? { alias } : {}),
    ...(typeof esbuild.plugins === 'string' ? { plugins: esbuild.plugins } : {}),
  };
}

function onFailureQueue(destination: unknown, context: IntrinsicContext, key: string): string {
  const target =
    destination && typeof destination === 'object' && 'arn' in destination
      ? (destination as { arn: unknown; type?: unknown })
      : { arn: destination };
  if (target.type !== undefined && target.type !== 'sqs') {
    throw new LambdaRunnerError('UNSUPPORTED_INTRINSIC', `${key}: only SQS on-failure destinations run locally`);
  }
  const arn = resolveIntrinsic(target.arn, context);
  if (!arn.startsWith('arn:aws:sqs:')) {
    throw new LambdaRunnerError('UNSUPPORTED_INTRINSIC', `${key}: on-failure destination ${arn} is not an SQS queue`);
  }
  return queueNameOf(arn);
}
