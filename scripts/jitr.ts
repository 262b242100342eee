import { parseArgs } from 'node:util';
import type { Command, Io } from './cli/command.js';
import { CliError, ExitCode, UsageError } from './cli/errors.js';
import { writeError, writeOutcome } from './cli/output.js';
import { commandLoaders } from './cli/registry.js';

const processIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

function helpText(): string {
  const names = Object.keys(commandLoaders).sort();
  return ['Usage: jitr <command> [flags] [--json]', '', 'Commands:', ...names.map((name) => `  ${name}`)].join('\n');
}

/** Finds the longest registered command path at the start of argv. */
function resolveCommand(argv: string[]): { key: string; rest: string[] } | undefined {
  for (let words = Math.min(3, argv.length); words > 0; words--) {
    const key = argv.slice(0, words).join(' ');
    if (key in commandLoaders) return { key, rest: argv.slice(words) };
  }
  return undefined;
}

export async function main(argv: string[], io: Io = processIo): Promise<ExitCode> {
  const json = argv.includes('--json');
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
      io.stdout.write(`${helpText()}\n`);
      return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
    }
    const resolved = resolveCommand(argv);
    if (!resolved)
      throw new UsageError(`unknown command: ${argv.filter((a) => !a.startsWith('-')).join(' ')}\n${helpText()}`);
    const loader = commandLoaders[resolved.key];
    if (!loader) throw new UsageError(`unknown command: ${resolved.key}`);
    const command: Command = await loader();
    if (resolved.rest.includes('--help')) {
      io.stdout.write(`${command.usage}\n`);
      return ExitCode.ok;
    }
    const parsed = parseCommandArgs(command, resolved.rest);
    const outcome = await command.run({ ...parsed, json, io });
    return writeOutcome(io, outcome, json);
  } catch (error) {
    return writeError(io, error, json);
  }
}

function parseCommandArgs(command: Command, rest: string[]) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${command.usage}`, { cause: error });
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw new UsageError(`expected ${min === max ? min : `${min}-${max}`} argument(s)\n${command.usage}`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

export { CliError };
