import { parseArgs } from 'node:util';
import type { Command, CommandInput, OptionSpec } from './command.js';
import { UsageError } from './errors.js';
import { closest } from './suggest.js';

/** Flags every command takes; AWS commands also take `--region`. */
export function optionsOf(command: Command): OptionSpec {
  return {
    ...(command.aws ? { region: { type: 'string' } } : {}),
    ...command.options,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
}

/** The flags and arguments of one command: unknown flags name the closest known one; the rest as node:util reports. */
export function parseCommandArgs(command: Command, rest: string[]): Pick<CommandInput, 'values' | 'positionals'> {
  const options = optionsOf(command);
  const seeHelp = `see jitr ${command.path.join(' ')} --help`;
  const { tokens } = parseArgs({ args: rest, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name in options) continue;
    const suggestion = closest(token.name, Object.keys(options));
    throw new UsageError(
      `unknown flag ${token.rawName}${suggestion !== undefined ? ` (did you mean --${suggestion}?)` : ''}; ${seeHelp}`,
      { code: 'UNKNOWN_FLAG' },
    );
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\s*To specify a positional argument.*$/s, '');
    throw new UsageError(`${message}; ${seeHelp}`, { cause: error });
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new UsageError(
      `expected ${expected} argument(s), got ${parsed.positionals.length}\n${command.usage}\n(${seeHelp})`,
    );
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `--region` as AWS spells regions (us-east-1, us-gov-west-1, cn-north-1). */
export function regionFlag(values: CommandInput['values']): string | undefined {
  const region = values.region;
  if (region === undefined) return undefined;
  if (typeof region !== 'string' || !REGION.test(region)) {
    throw new UsageError(`--region must be an AWS region such as eu-west-1, got "${String(region)}"`);
  }
  return region;
}
