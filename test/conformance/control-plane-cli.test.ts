import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRegistrationCodeCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iotClientFor } from '../helpers/aws.js';

const root = join(import.meta.dirname, '..', '..');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function jitr(args: string[]): { child: ChildProcess; finished: Promise<Finished>; firstLine: Promise<string> } {
  const child = spawn(process.execPath, [join(root, 'bin', 'jitr.js'), ...args], { cwd: root, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  let resolveLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => {
    resolveLine = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('\n')) resolveLine(stdout.slice(0, stdout.indexOf('\n')));
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (code) => {
      resolveLine(stdout);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, finished, firstLine };
}

describe('jitr local start', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitr-local-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one ready line, serves the AWS SDK, and exits 0 on SIGTERM after saving --state', async () => {
    const statePath = join(dir, 'state.json');
    const run = jitr([
      'local',
      'start',
      '--json',
      '--region',
      'eu-central-1',
      '--account-id',
      '123412341234',
      '--state',
      statePath,
    ]);
    const ready = JSON.parse(await run.firstLine);
    expect(Object.keys(ready)).toEqual(['controlPlane', 'mqtt', 'serverCa', 'region', 'accountId', 'httpApi', 'pid']);
    expect(ready.pid).toBe(run.child.pid);
    expect(ready.httpApi).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready).toMatchObject({ region: 'eu-central-1', accountId: '123412341234' });
    expect(ready.controlPlane).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { registrationCode } = await iotClientFor({ controlPlane: ready.controlPlane, region: ready.region }).send(
      new GetRegistrationCodeCommand({}),
    );
    run.child.kill('SIGTERM');
    const finished = await run.finished;
    expect(finished.code).toBe(0);
    expect(finished.stdout.trim().split('\n')).toHaveLength(1);
    const saved = JSON.parse(await readFile(statePath, 'utf8'));
    expect(saved.registrationCode).toBe(registrationCode);
  });

  it('exits 2 with a coded JSON error for a bad --faults spec', async () => {
    const run = jitr(['local', 'start', '--json', '--faults', 'rate=7']);
    const finished = await run.finished;
    expect(finished.code).toBe(2);
    expect(JSON.parse(finished.stdout)).toMatchObject({ error: { code: 'BAD_FAULT_SPEC' } });
  });

  it('exits 2 for a bad --quotas value', async () => {
    const finished = await jitr(['local', 'start', '--quotas', 'lots']).finished;
    expect(finished.code).toBe(2);
    expect(finished.stderr).toContain('--quotas must be one of aws, off');
  });
});
