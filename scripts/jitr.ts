import { awsEnvironment } from './aws/local-ready.js';
import type { Command, Io } from './cli/command.js';
import { CliError, ExitCode, UsageError } from './cli/errors.js';
import { type CommandListing, commandHelp, groupHelp, topHelp } from './cli/help.js';
import { writeError, writeOutcome } from './cli/output.js';
import { parseCommandArgs, regionFlag } from './cli/parse.js';
import { commandLoaders } from './cli/registry.js';
import { closest } from './cli/suggest.js';
import { cliVersion } from './cli/version.js';

const processIo: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
const HELP = new Set(['--help', '-h']);

/** Every command's words and summary (loads every command module: only for help). */
async function listings(keys = Object.keys(commandLoaders)): Promise<CommandListing[]> {
  return Promise.all(
    keys.map(async (key) => ({ key, summary: (await (commandLoaders[key] as () => Promise<Command>)()).summary })),
  );
}

/** Finds the longest registered command path at the start of argv. */
function resolveCommand(argv: string[]): { key: string; rest: string[] } | undefined {
  for (let words = Math.min(3, argv.length); words > 0; words--) {
    const key = argv.slice(0, words).join(' ');
    if (key in commandLoaders) return { key, rest: argv.slice(words) };
  }
  return undefined;
}

const groupKeys = (group: string) => Object.keys(commandLoaders).filter((key) => key.startsWith(`${group} `));

function unknownCommand(argv: string[]): UsageError {
  const words = argv.filter((word) => !word.startsWith('-'));
  const group = groupKeys(words[0] ?? '');
  const candidates = group.length > 0 ? group : Object.keys(commandLoaders);
  const typed = group.length > 0 ? words.slice(0, 2).join(' ') : (words[0] ?? '');
  const suggestion = closest(typed, candidates);
  return new UsageError(
    `unknown command "${typed}"${suggestion !== undefined ? ` (did you mean jitr ${suggestion}?)` : ''}; see jitr --help`,
    { code: 'UNKNOWN_COMMAND' },
  );
}

export async function main(argv: string[], io: Io = processIo): Promise<ExitCode> {
  const json = argv.includes('--json');
  try {
    const first = argv[0];
    if (first === '--version') {
      io.stdout.write(`${cliVersion()}\n`);
      return ExitCode.ok;
    }
    if (first === undefined || HELP.has(first) || (first === 'help' && argv.length === 1)) {
      io.stdout.write(`${topHelp(cliVersion(), await listings())}\n`);
      return first === undefined ? ExitCode.usage : ExitCode.ok;
    }
    // `jitr help simulate` = `jitr simulate --help`.
    const words = first === 'help' ? [...argv.slice(1), '--help'] : argv;
    const resolved = resolveCommand(words);
    if (!resolved) {
      const group = groupKeys(words[0] ?? '');
      if (group.length > 0 && (words.length === 1 || HELP.has(words[1] ?? ''))) {
        io.stdout.write(`${groupHelp(words[0] ?? '', await listings(group))}\n`);
        return words.length === 1 ? ExitCode.usage : ExitCode.ok;
      }
      throw unknownCommand(words);
    }
    const command = await (commandLoaders[resolved.key] as () => Promise<Command>)();
    if (resolved.rest.some((word) => HELP.has(word))) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return ExitCode.ok;
    }
    if (resolved.rest.includes('--version')) {
      io.stdout.write(`${cliVersion()}\n`);
      return ExitCode.ok;
    }
    const parsed = parseCommandArgs(command, resolved.rest);
    const commandIo = command.aws ? { ...io, env: awsEnvironment(io.env, regionFlag(parsed.values)) } : io;
    const outcome = await command.run({ ...parsed, json, io: commandIo });
    return writeOutcome(io, outcome, json);
  } catch (error) {
    return writeError(io, error, json);
  }
}

export { CliError };
