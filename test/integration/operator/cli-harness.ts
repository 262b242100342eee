import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll } from 'vitest';
import { LOCAL_OPERATOR_CREDENTIALS } from '../../../local/iam/identities.js';
import type { LocalEmulator } from '../../../local/server.js';
import { main } from '../../../scripts/jitr.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment a user would set to point the CLI at the emulator (what scripts/aws/clients.ts reads). The CLI runs
 * as the operator identity, whose policy is the shipped docs/operator-policy.json: every command tested here proves
 * that policy is enough.
 */
export function emulatorEnv(emulator: LocalEmulator): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: emulator.controlPlane,
    AWS_REGION: emulator.region,
    AWS_ACCESS_KEY_ID: LOCAL_OPERATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_OPERATOR_CREDENTIALS.secretAccessKey,
    JITR_MAX_ATTEMPTS: '2',
  };
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs `jitr ...` in-process through main(argv, io), as bin/jitr.js does. */
export async function jitr(emulator: LocalEmulator, ...argv: string[]): Promise<CliRun> {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await main(argv, { stdout, stderr, env: emulatorEnv(emulator) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the installed CLI (`node bin/jitr.js`): the user's path, compiled by the suite's global setup. */
export async function spawnJitr(emulator: LocalEmulator, ...argv: string[]): Promise<CliRun> {
  const root = join(import.meta.dirname, '..', '..', '..');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin', 'jitr.js'), ...argv], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...emulatorEnv(emulator) },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A scratch directory for one test file, removed afterwards. */
export function scratchDir(): { path: string; write(name: string, content: string | Uint8Array): string } {
  const path = mkdtempSync(join(tmpdir(), 'jitr-operator-'));
  afterAll(() => rmSync(path, { recursive: true, force: true }));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
  };
}

export function json(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
