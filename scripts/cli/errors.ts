import { exitCodeOfError } from './exit-codes.js';

/** Exit codes of every `jitr` command (../shared/DESIGN.md, "The jitr CLI contract"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  rejected: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base error of the CLI: a stable machine-readable `code`, a human message, and the exit code it maps to. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, exitCode: ExitCode = ExitCode.failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
    // One exit code per situation across commands: a listed code decides (scripts/cli/exit-codes.ts).
    this.exitCode = exitCodeOfError(code) ?? exitCode;
  }
}

/** A bad flag, a missing argument, an unknown command (code USAGE unless a more precise one is given). */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'USAGE', message, ExitCode.usage, options);
    this.name = 'UsageError';
  }
}

/** A file that cannot be read or written, or whose content is not what the command needs. */
export class InputError extends CliError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, ExitCode.usage, options);
    this.name = 'InputError';
  }
}
