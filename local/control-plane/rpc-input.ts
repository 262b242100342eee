import { AwsServiceError } from '../errors.js';

/** The JSON body of an AWS JSON-protocol request (SQS, SSM). */
export type RpcInput = Record<string, unknown>;

const invalid = (message: string) => new AwsServiceError('InvalidParameterValue', 400, message);
const missing = (name: string) =>
  new AwsServiceError('MissingParameter', 400, `The request must contain the parameter ${name}.`);

export function rpcString(input: RpcInput, name: string, required: true): string;
export function rpcString(input: RpcInput, name: string, required?: false): string | undefined;
export function rpcString(input: RpcInput, name: string, required = false): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) {
    if (required) throw missing(name);
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  if (required && value === '') throw missing(name);
  return value;
}

export function rpcBoolean(input: RpcInput, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean`);
  return value;
}

export function rpcInteger(input: RpcInput, name: string, range: { min: number; max: number }): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid(`${name} must be an integer`);
  if (value < range.min || value > range.max) throw invalid(`${name} must be between ${range.min} and ${range.max}`);
  return value;
}

export function rpcStringList(input: RpcInput, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(`${name} must be a list of strings`);
  }
  return value as string[];
}

export function rpcStringMap(input: RpcInput, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${name} must be a map`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalid(`${name}.${key} must be a string`);
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}
