import { createHash } from 'node:crypto';
import { AwsServiceError } from '../errors.js';
import { parameterArn } from '../state/arns.js';
import type { ParameterRecord, ParameterTier } from '../state/parameters.js';
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

const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
/** Characters a value may hold in each tier (API_PutParameter: "Standard parameters have a value limit of 4 KB.
 * Advanced parameters have a value limit of 8 KB."). */
export const PARAMETER_VALUE_LIMIT: Readonly<Record<ParameterTier, number>> = { Standard: 4096, Advanced: 8192 };

/**
 * The tier a PutParameter lands in (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html):
 * Intelligent-Tiering picks Standard while the value fits in 4 KB, Advanced above; no Tier means the account's default,
 * Standard. A standard parameter can become advanced at any time, but an advanced one never reverts to standard.
 */
function tierOf(input: RpcInput, value: string, previous: ParameterRecord | undefined): ParameterTier {
  const requested = rpcString(input, 'Tier');
  if (requested !== undefined && !(TIERS as readonly string[]).includes(requested)) {
    throw ssmError('ValidationException', `Tier must be one of ${TIERS.join(', ')}`);
  }
  const wasAdvanced = previous?.tier === 'Advanced';
  if (requested === 'Standard' && wasAdvanced) {
    throw ssmError(
      'ValidationException',
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.",
    );
  }
  const tier: ParameterTier =
    requested === 'Advanced' || wasAdvanced
      ? 'Advanced'
      : requested === 'Intelligent-Tiering' && value.length > PARAMETER_VALUE_LIMIT.Standard
        ? 'Advanced'
        : 'Standard';
  if (tier === 'Standard' && value.length > PARAMETER_VALUE_LIMIT.Standard) {
    throw ssmError(
      'ValidationException',
      'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.',
    );
  }
  if (value.length > PARAMETER_VALUE_LIMIT.Advanced) {
    throw ssmError(
      'ValidationException',
      'Advanced tier parameters support a maximum parameter value of 8192 characters.',
    );
  }
  return tier;
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
  const tier = tierOf(input, value, previous);
  const description = rpcString(input, 'Description') ?? previous?.description;
  const stored = context.store.parameters.put({
    name,
    type: chosen,
    value,
    dataType: rpcString(input, 'DataType') ?? 'text',
    ...(description !== undefined ? { description } : {}),
    tier,
    lastModifiedDate: context.now(),
  });
  return { Version: stored.version, Tier: tier };
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
