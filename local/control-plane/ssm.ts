import { createHash } from 'node:crypto';
import { AwsServiceError } from '../errors.js';
import { parameterArn } from '../state/arns.js';
import type { ParameterRecord } from '../state/parameters.js';
import type { RegistryStore } from '../state/store.js';
import { type RpcInput, rpcBoolean, rpcString } from './rpc-input.js';

/** SSM Parameter Store, AWS JSON 1.1 protocol (`x-amz-target: AmazonSSM.<Operation>`). */
export interface SsmContext {
  store: RegistryStore;
  now(): number;
}

const TYPES = ['String', 'StringList', 'SecureString'] as const;
const PARAMETER_NAME = /^[a-zA-Z0-9_.\-/]{1,2048}$/;
const ssmError = (code: string, message: string, status = 400) => new AwsServiceError(code, status, message);

function parameterName(input: RpcInput): string {
  const name = rpcString(input, 'Name', true);
  if (!PARAMETER_NAME.test(name))
    throw ssmError('ValidationException', `Parameter name ${JSON.stringify(name)} is not valid`);
  return name;
}

/** PutParameter: a new name needs a Type; an existing one needs Overwrite, else ParameterAlreadyExists. */
function putParameter(context: SsmContext, input: RpcInput) {
  const name = parameterName(input);
  const value = rpcString(input, 'Value', true);
  const type = rpcString(input, 'Type');
  if (type !== undefined && !(TYPES as readonly string[]).includes(type)) {
    throw ssmError('ValidationException', `Type must be one of ${TYPES.join(', ')}`);
  }
  const previous = context.store.parameters.get(name);
  if (previous && rpcBoolean(input, 'Overwrite') !== true) {
    throw ssmError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const chosen = (type ?? previous?.type) as ParameterRecord['type'] | undefined;
  if (!chosen) throw ssmError('ValidationException', 'A new parameter needs a Type');
  const description = rpcString(input, 'Description') ?? previous?.description;
  const stored = context.store.parameters.put({
    name,
    type: chosen,
    value,
    dataType: rpcString(input, 'DataType') ?? 'text',
    ...(description !== undefined ? { description } : {}),
    lastModifiedDate: context.now(),
  });
  return { Version: stored.version, Tier: 'Standard' };
}

/** What GetParameter shows of a SecureString without WithDecryption: an opaque stand-in for the KMS ciphertext. */
function sealed(record: ParameterRecord): string {
  return Buffer.from(createHash('sha256').update(`${record.name}:${record.version}:${record.value}`).digest()).toString(
    'base64',
  );
}

/**
 * GetParameter takes `name` or `name:version` (a selector; labels are not emulated).
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html
 */
function getParameter(context: SsmContext, input: RpcInput) {
  const requested = rpcString(input, 'Name', true);
  const selector = /^(.*):(\d+)$/.exec(requested);
  const name = parameterName({ ...input, Name: selector ? selector[1] : requested });
  const latest = context.store.parameters.get(name);
  if (!latest) throw ssmError('ParameterNotFound', `Parameter ${name} not found.`);
  const record = selector ? context.store.parameters.getVersion(name, Number(selector[2])) : latest;
  if (!record) {
    throw ssmError('ParameterVersionNotFound', `Systems Manager could not find version ${selector?.[2]} of ${name}.`);
  }
  const decrypt = rpcBoolean(input, 'WithDecryption') === true;
  return {
    Parameter: {
      Name: record.name,
      Type: record.type,
      Value: record.type === 'SecureString' && !decrypt ? sealed(record) : record.value,
      Version: record.version,
      LastModifiedDate: record.lastModifiedDate / 1000,
      ARN: parameterArn(context.store.scope, record.name),
      DataType: record.dataType,
    },
  };
}

function deleteParameter(context: SsmContext, input: RpcInput) {
  const name = parameterName(input);
  if (!context.store.parameters.delete(name)) throw ssmError('ParameterNotFound', `Parameter ${name} not found.`);
  return {};
}

export const ssmOperations: Record<string, (context: SsmContext, input: RpcInput) => unknown> = {
  PutParameter: putParameter,
  GetParameter: getParameter,
  DeleteParameter: deleteParameter,
};
