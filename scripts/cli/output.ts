import { CliError, ExitCode } from './errors.js';
import type { CommandOutcome, Io } from './command.js';

export function writeOutcome(io: Io, outcome: CommandOutcome, json: boolean): ExitCode {
  if (json) io.stdout.write(`${JSON.stringify(outcome.data)}\n`);
  else io.stdout.write(`${outcome.human ?? JSON.stringify(outcome.data, null, 2)}\n`);
  return outcome.exitCode ?? ExitCode.ok;
}

/** Errors never print a stack trace: a code and a message, on stdout as JSON with `--json`, on stderr for people. */
export function writeError(io: Io, error: unknown, json: boolean): ExitCode {
  const known = error instanceof CliError;
  const code = known ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  const exitCode = known ? error.exitCode : ExitCode.failure;
  if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  io.stderr.write(`jitr: ${code}: ${message}\n`);
  if (!known && io.env.JITR_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return exitCode;
}

/** A plain left-aligned table for people. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
