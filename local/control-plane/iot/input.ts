import { invalidRequest } from '../../errors.js';
import type { IotRequest } from './context.js';

/** Readers of request fields: a missing or mistyped field is AWS's InvalidRequestException, never a crash. */

export function bodyString(request: IotRequest, name: string): string | undefined {
  const value = request.body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${name} must be a string`);
  return value;
}

export function requiredBodyString(request: IotRequest, name: string): string {
  const value = bodyString(request, name);
  if (value === undefined || value === '') throw invalidRequest(`${name} is required`);
  return value;
}

export function bodyBoolean(request: IotRequest, name: string): boolean | undefined {
  const value = request.body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidRequest(`${name} must be a boolean`);
  return value;
}

export function bodyInteger(request: IotRequest, name: string): number | undefined {
  const value = request.body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidRequest(`${name} must be an integer`);
  return value;
}

export function bodyObject(request: IotRequest, name: string): Record<string, unknown> | undefined {
  const value = request.body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${name} must be an object`);
  return value as Record<string, unknown>;
}

/** A map of string to string (thing attributes). */
export function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${name} must be a map of strings`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalidRequest(`${name}.${key} must be a string`);
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays an ordinary attribute.
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

/** A certificate id as AWS accepts it (64 hex digits, optionally 0x-prefixed), in the lowercase form ids are kept in. */
export function certificateIdOf(value: string): string {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(value)) throw invalidRequest('certificateId must be 64 hexadecimal digits');
  return value.replace(/^0x/, '').toLowerCase();
}

export function label(request: IotRequest, name: string): string {
  const value = request.labels[name];
  if (value === undefined || value === '') throw invalidRequest(`${name} is required`);
  return value;
}

export function queryString(request: IotRequest, name: string): string | undefined {
  return request.query.get(name) ?? undefined;
}

export function queryBoolean(request: IotRequest, name: string): boolean | undefined {
  const value = request.query.get(name);
  if (value === null) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidRequest(`${name} must be true or false`);
  return value === 'true';
}

export function queryInteger(
  request: IotRequest,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const value = request.query.get(name);
  if (value === null) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidRequest(`${name} must be an integer`);
  const parsed = Number(value);
  if (parsed < range.min || parsed > range.max) {
    throw invalidRequest(`${name} must be between ${range.min} and ${range.max}`);
  }
  return parsed;
}

export function header(request: IotRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function oneOfValues<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(`${name} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
