import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LocalReady } from '../aws/local-ready.js';
import type { CommandInput } from '../cli/command.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { isRunning, readReadyFile, waitForReadyFile } from './ready-file.js';

/** Set in the detached emulator's environment: it then writes to its log file only (decision lines aside). */
export const DETACHED_ENV = 'JITR_LOCAL_DETACHED';

/** bin/jitr.js of this installation (the CLI runs from scripts/ under tests and from dist/scripts/ when built). */
function cliEntry(): string {
  let dir = import.meta.dirname;
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, 'bin', 'jitr.js');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new CliError('INTERNAL', 'cannot find bin/jitr.js to start the emulator in the background');
}

/** The command's own flags as a command line again, without --background (the child runs in the foreground). */
function flagsOf(values: CommandInput['values']): string[] {
  return Object.entries(values).flatMap(([name, value]) => {
    if (name === 'background' || name === 'json' || value === undefined || value === false) return [];
    return value === true ? [`--${name}`] : [`--${name}`, String(value)];
  });
}

function lastLines(path: string, count: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `jitr local start` as a detached process that outlives this one, and returns once its ready file is written.
 * Its stdout and stderr go to the log file, except that with --decisions its stderr (the one-line decision summaries,
 * nothing else: see DETACHED_ENV) stays on this terminal. A ready file of a running emulator is never taken over (LOCAL_RUNNING).
 */
export async function startInBackground(
  input: CommandInput,
  paths: { readyFile: string; logFile: string; decisions: boolean },
): Promise<LocalReady & { readyFile: string; log: string }> {
  const existing = (() => {
    try {
      return readReadyFile(paths.readyFile);
    } catch {
      return undefined;
    }
  })();
  if (existing?.pid !== undefined && isRunning(existing.pid)) {
    throw new CliError(
      'LOCAL_RUNNING',
      `an emulator (pid ${existing.pid}) already serves ${paths.readyFile}; stop it with \`jitr local stop\`, or pass another --ready-file`,
      ExitCode.usage,
    );
  }
  rmSync(paths.readyFile, { force: true });
  mkdirSync(dirname(resolve(paths.logFile)), { recursive: true });
  const log = openSync(paths.logFile, 'a');
  const child = spawn(process.execPath, [cliEntry(), 'local', 'start', ...flagsOf(input.values)], {
    cwd: process.cwd(),
    env: { ...input.io.env, [DETACHED_ENV]: '1' },
    detached: true,
    stdio: ['ignore', log, paths.decisions ? 'inherit' : log],
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.unref();
  try {
    const ready = await waitForReadyFile(paths.readyFile, 120_000, () => !exited);
    return { ...ready, readyFile: resolve(paths.readyFile), log: resolve(paths.logFile) };
  } catch (error) {
    if (!exited) throw error;
    throw new CliError(
      'LOCAL_START_FAILED',
      `the emulator exited before it was ready; the end of ${paths.logFile}:\n${lastLines(paths.logFile, 5)}`,
      ExitCode.usage,
      { cause: error },
    );
  }
}
