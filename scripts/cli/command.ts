import type { ParseArgsConfig } from 'node:util';
import type { ExitCode } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Where a command writes: stdout carries the result (human text or one JSON document), stderr carries progress. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface CommandInput {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  json: boolean;
  io: Io;
}

export interface CommandOutcome {
  /** What `--json` prints: exactly one JSON document. */
  data: unknown;
  /** What people see instead; defaults to the JSON pretty-printed. */
  human?: string;
  exitCode?: ExitCode;
}

export interface Command {
  /** Words after `jitr`, e.g. `['ca', 'create']`. */
  path: string[];
  summary: string;
  usage: string;
  options: OptionSpec;
  /** How many positionals the command takes (default 0). */
  positionals?: { min: number; max: number };
  run(input: CommandInput): Promise<CommandOutcome>;
  /** What the command does and when to use it, for `--help` (a test lists every command without one). */
  description?: string;
  /** One line per flag of `options`, its default included, e.g. `{ stage: 'deployment stage (default: dev)' }`. */
  flags?: Record<string, string>;
  /** Complete command lines that work as written, for `--help` (a test lists every command without one). */
  examples?: string[];
  /**
   * The command calls AWS: it takes `--region`, and `JITR_LOCAL` points it at the emulator (scripts/aws/local-target.ts).
   * The CLI core applies both to `io.env` before `run`, so commands keep reading the SDK's usual variables.
   */
  aws?: boolean;
}
