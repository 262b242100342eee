import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..');

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document `--json` promises (undefined when it is not JSON). */
  json: unknown;
}

/** Runs the compiled CLI exactly as a user does: `node bin/jitr.js ...`. */
export function jitr(args: string[]): CliRun {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'jitr.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, JITR_DEBUG: '' },
  });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, json };
}

/** No stack trace leaks to the user: no `    at fn (file:line)` frames. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]/m.test(text);
}
