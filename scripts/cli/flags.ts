import type { CommandInput } from './command.js';
import { UsageError } from './errors.js';

export function optionalString(input: CommandInput, name: string): string | undefined {
  const value = input.values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`--${name} takes a value`);
  return value;
}

export function requiredString(input: CommandInput, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function flag(input: CommandInput, name: string): boolean {
  return input.values[name] === true;
}

/** A positive whole number, e.g. `--days 365`. */
export function optionalInteger(
  input: CommandInput,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const raw = optionalString(input, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new UsageError(`--${name} must be between ${range.min} and ${range.max}, got ${value}`);
  }
  return value;
}

/** One of a fixed set of words, e.g. `--profile azure-sphere`. */
export function oneOf<T extends string>(input: CommandInput, name: string, allowed: readonly T[]): T | undefined {
  const raw = optionalString(input, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** An ISO-8601 instant, e.g. `--at 2026-01-01T00:00:00Z`. */
export function optionalDate(input: CommandInput, name: string): Date | undefined {
  const raw = optionalString(input, name);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--${name} must be an ISO-8601 date, got "${raw}"`);
  return date;
}

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

/** A Thing name as AWS IoT allows it (`[a-zA-Z0-9:_-]{1,128}`); every command refuses a bad one the same way. */
export function checkThingName(name: string, what: string): string {
  if (!THING_NAME.test(name)) {
    throw new UsageError(`${what} "${name}" is not a Thing name ([a-zA-Z0-9:_-], 1 to 128 characters)`, {
      code: 'BAD_THING_NAME',
    });
  }
  return name;
}
