import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LocalReady, parseLocalReady } from '../aws/local-ready.js';
import { CliError, ExitCode, InputError } from '../cli/errors.js';

/** Where `jitr local start --background`, `local env` and `local stop` meet when no path is given. */
export const DEFAULT_READY_FILE = '.jitr/ready.json';
export const DEFAULT_LOG_FILE = '.jitr/local.log';

/**
 * Writes the ready file whole or not at all: a temporary file beside it, then a rename (atomic on one file system),
 * so a reader that polls for the file never sees it half-written.
 */
export function writeReadyFile(path: string, ready: LocalReady): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(ready)}\n`, { mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written where nothing can be.
    }
    throw new InputError('FILE_UNWRITABLE', `cannot write the ready file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** The ready file's content, or undefined while it does not exist. */
export function readReadyFile(path: string): LocalReady | undefined {
  if (!existsSync(path)) return undefined;
  return parseLocalReady(readFileSync(path, 'utf8'));
}

/** Removes the ready file if it still belongs to `pid` (a newer emulator may have taken the path over). */
export function removeReadyFile(path: string, pid: number): void {
  try {
    if (readReadyFile(path)?.pid === pid) rmSync(path, { force: true });
  } catch {
    // A file that is not a ready file is not ours to remove.
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls for the ready file until it appears or `timeoutMs` passes (LOCAL_NOT_READY, exit 2). */
export async function waitForReadyFile(
  path: string,
  timeoutMs: number,
  stillStarting: () => boolean = () => true,
): Promise<LocalReady> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = readReadyFile(path);
    if (ready) return ready;
    if (Date.now() >= deadline || !stillStarting()) {
      throw new CliError(
        'LOCAL_NOT_READY',
        `no emulator ready file at ${path} after ${Math.round(timeoutMs / 1000)} s; start one with ` +
          `\`jitr local start --background --ready-file ${path}\``,
        ExitCode.usage,
      );
    }
    await sleep(100);
  }
}
