import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Command } from '../../../scripts/cli/command.js';
import { commandLoaders } from '../../../scripts/cli/registry.js';
import { isRunning } from '../../../scripts/emulator/ready-file.js';
import { main } from '../../../scripts/jitr.js';

// The newcomer's path to the emulator: `jitr local start --background`, `eval "$(jitr local env)"`, then every command
// that calls AWS reaches the emulator through JITR_LOCAL alone, and `jitr local stop`.
const root = join(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'jitr-local-cli-'));
const readyFile = join(dir, 'ready.json');
const logFile = join(dir, 'local.log');

function bin(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'jitr.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...env, JITR_DEBUG: '' },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** In-process `jitr ...` with this environment only (no AWS variables unless given). */
async function jitr(env: NodeJS.ProcessEnv, ...argv: string[]) {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await main([...argv, '--json'], { stdout, stderr, env: { PATH: process.env.PATH, ...env } });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(stdout.text) as Record<string, unknown>;
  } catch {
    // asserted by the caller
  }
  return { code, json, stderr: stderr.text };
}

const errorCode = (run: { json: Record<string, unknown> }) => (run.json.error as { code?: string } | undefined)?.code;

let pid = 0;
beforeAll(() => {
  const started = bin([
    'local',
    'start',
    '--background',
    '--ready-file',
    readyFile,
    '--log',
    logFile,
    '--lambda-concurrency',
    '2',
    // IAM on: the keys `jitr local env` exports are the operator identity, and the operator policy must suffice.
    '--iam',
    'on',
  ]);
  expect(started.status, started.stderr).toBe(0);
  expect(started.stdout).toMatch(/the emulator runs in the background \(pid \d+\)/);
  // Detached, it writes to its log file only: nothing of its own reaches the terminal that started it.
  expect(`${started.stdout}${started.stderr}`).not.toMatch(/\{"component"|^\[jitr-/m);
  pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
}, 120_000);

afterAll(() => {
  if (pid && isRunning(pid)) process.kill(pid, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('jitr local start --background, local env, local stop', () => {
  it('returns once the ready file is written, naming the running emulator', () => {
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    expect(ready).toMatchObject({ pid, region: 'us-east-1', controlPlane: expect.stringMatching(/^http:\/\/127/) });
    expect(isRunning(pid)).toBe(true);
  });

  it('refuses a second emulator on the same ready file (LOCAL_RUNNING, exit 2)', () => {
    const again = bin(['local', 'start', '--background', '--ready-file', readyFile, '--log', logFile]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/LOCAL_RUNNING: an emulator \(pid \d+\) already serves/);
  });

  it('prints the exports that point a shell at it', () => {
    const printed = bin(['local', 'env', '--ready-file', readyFile]);
    expect(printed.status).toBe(0);
    const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
    expect(printed.stdout).toBe(
      [
        `export AWS_ENDPOINT_URL='${ready.controlPlane}'`,
        `export AWS_REGION='us-east-1'`,
        `export AWS_DEFAULT_REGION='us-east-1'`,
        `export AWS_ACCESS_KEY_ID='AKIAJITROPERATOR0001'`,
        `export AWS_SECRET_ACCESS_KEY='jitr-local-operator-secret'`,
        `export JITR_LOCAL='${readyFile}'`,
        'unset AWS_PROFILE AWS_SESSION_TOKEN',
        '',
      ].join('\n'),
    );
  });

  it('says LOCAL_NOT_READY (exit 2) when no emulator is ready in time', () => {
    const missing = bin(['local', 'env', '--ready-file', join(dir, 'nothing.json'), '--wait', '0']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/LOCAL_NOT_READY: no emulator ready file at .*nothing\.json after 0 s/);
  });
});

describe('JITR_LOCAL: every command that calls AWS reaches the emulator with it alone', () => {
  // The shell's AWS settings point elsewhere: JITR_LOCAL must win over all of them.
  const env = () => ({
    JITR_LOCAL: readyFile,
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    AWS_PROFILE: 'no-such-profile',
    JITR_MAX_ATTEMPTS: '2',
  });
  const ca = join(dir, 'ca');

  beforeAll(async () => {
    expect((await jitr({}, 'ca', 'create', '--profile', 'generic', '--out', ca)).code).toBe(0);
  });

  const cases: Record<string, () => Promise<void>> = {
    status: async () => {
      const run = await jitr(env(), 'status');
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ stage: 'dev', region: 'us-east-1', accountId: '000000000000' });
    },
    doctor: async () => {
      const run = await jitr(env(), 'doctor', '--stage', 'qa');
      expect(run.json).toMatchObject({ stage: 'qa' });
    },
    preconfigure: async () => {
      const run = await jitr(
        env(),
        'preconfigure',
        '--ca-cert',
        join(ca, 'ca.cert.pem'),
        '--profile',
        'generic',
        '--dry-run',
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ dryRun: true, region: 'us-east-1', accountId: '000000000000' });
    },
    deprovision: async () => {
      const run = await jitr(env(), 'deprovision', 'no-such-thing', '--stage', 'dev');
      expect({ code: run.code, error: errorCode(run) }).toEqual({ code: 2, error: 'THING_NOT_FOUND' });
    },
    revoke: async () => {
      const run = await jitr(env(), 'revoke', '--thing', 'no-such-thing', '--dry-run');
      expect(run.code).toBe(errorCode(run) === 'THING_NOT_FOUND' ? 2 : 1);
      expect(['THING_NOT_FOUND', 'FLEET_CONFIG_MISSING']).toContain(errorCode(run));
    },
    'ca retire': async () => {
      // The stage has no fleet configuration yet: only the emulator's SSM can say so.
      const run = await jitr(env(), 'ca', 'retire', 'f'.repeat(64), '--dry-run');
      expect({ code: run.code, error: errorCode(run) }).toEqual({ code: 1, error: 'FLEET_CONFIG_MISSING' });
    },
    readmit: async () => {
      // The stage has no fleet configuration yet: only the emulator's SSM can say so.
      const run = await jitr(env(), 'readmit', '--thing', 'no-such-thing', '--dry-run');
      expect({ code: run.code, error: errorCode(run) }).toEqual({ code: 1, error: 'FLEET_CONFIG_MISSING' });
    },
    replay: async () => {
      const run = await jitr(env(), 'replay', '--dry-run');
      expect(['DLQ_NOT_FOUND', undefined]).toContain(errorCode(run));
    },
    'firmware-config': async () => {
      const run = await jitr(env(), 'firmware-config', 'embedded-c', '--thing', 'dev-1', '--out', join(dir, 'fw'));
      expect(run.code, run.stderr).toBe(0);
      expect(run.json.endpoint).toMatch(/-ats\.iot\.us-east-1\./);
    },
    'token create': async () => {
      const run = await jitr(env(), 'token', 'create', '--device-id', 'dev-1');
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ parameter: '/jitr/dev/vend/tokens/dev-1' });
    },
    'vend setup': async () => {
      const run = await jitr(env(), 'vend', 'setup', '--mode', 'token');
      expect(run.code, run.stderr).toBe(0);
      expect(run.json).toMatchObject({ parameter: '/jitr/dev/vend/config', config: { auth: { mode: 'token' } } });
      const ready = JSON.parse(readFileSync(readyFile, 'utf8'));
      const human = bin(['vend', 'setup', '--mode', 'token', '--dry-run'], { ...process.env, JITR_LOCAL: readyFile });
      expect(human.stdout).toContain(`curl -sS -X POST ${ready.httpApi}/devices -H "Authorization: Bearer $TOKEN"`);
      expect(human.stdout).toContain(`--cafile ${ready.serverCa} -h localhost -p ${new URL(ready.mqtt).port}`);
    },
    simulate: async () => {
      // The CA is not trusted: the device is refused at the handshake, which only the emulator can say.
      const run = await jitr(env(), 'simulate', '--ca', ca, '--profile', 'generic', '--devices', '1', '--timeout', '2');
      expect(run.code, run.stderr).toBe(3);
      expect(run.json).toMatchObject({ devices: 1, rejected: 1 });
    },
  };

  it('covers every command marked as calling AWS', async () => {
    const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
    const aws = commands.filter((command: Command) => command.aws).map((command) => command.path.join(' '));
    expect(Object.keys(cases).sort()).toEqual(aws.sort());
  });

  for (const [name, check] of Object.entries(cases)) {
    it(`jitr ${name}`, async () => {
      expect.hasAssertions();
      await check();
    });
  }
});

describe('one exit code per situation, whichever command meets it', () => {
  it('a bad Thing name: BAD_THING_NAME, exit 2 (deprovision, revoke, readmit, firmware-config)', async () => {
    const env = { JITR_LOCAL: readyFile };
    const runs = [
      await jitr(env, 'deprovision', 'bad name!'),
      await jitr(env, 'revoke', '--thing', 'bad name!'),
      await jitr(env, 'readmit', '--thing', 'bad name!'),
      await jitr(env, 'firmware-config', 'embedded-c', '--thing', 'bad name!', '--out', join(dir, 'x')),
    ];
    for (const run of runs)
      expect({ code: run.code, error: errorCode(run) }).toEqual({ code: 2, error: 'BAD_THING_NAME' });
  });

  it('simulate checks --report before the run (FILE_UNWRITABLE, exit 2, no device started)', async () => {
    const run = await jitr(
      { JITR_LOCAL: readyFile },
      'simulate',
      '--ca',
      join(dir, 'ca'),
      '--profile',
      'generic',
      '--devices',
      '1',
      '--report',
      join(dir, 'no-such-dir', 'sim.html'),
    );
    expect({ code: run.code, error: errorCode(run) }).toEqual({ code: 2, error: 'FILE_UNWRITABLE' });
    expect(run.stderr).not.toMatch(/issuing/);
  });

  it('no device endpoint: NO_ENDPOINT, exit 2 (simulate, firmware-config)', async () => {
    const unreachable = {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
      JITR_MAX_ATTEMPTS: '1',
    };
    const runs = [
      await jitr(unreachable, 'simulate', '--ca', join(dir, 'ca'), '--profile', 'generic', '--devices', '1'),
      await jitr(unreachable, 'firmware-config', 'embedded-c', '--thing', 'dev-1', '--out', join(dir, 'y')),
    ];
    for (const run of runs)
      expect({ code: run.code, error: errorCode(run) }).toEqual({ code: 2, error: 'NO_ENDPOINT' });
  });
});

describe('jitr local stop', () => {
  it('stops the emulator, which removes its ready file', () => {
    const stopped = bin(['local', 'stop', '--ready-file', readyFile]);
    expect(stopped.status, stopped.stderr).toBe(0);
    expect(isRunning(pid)).toBe(false);
    expect(existsSync(readyFile)).toBe(false);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toMatch(/jitr local: SIGTERM, shutting down/);
    // The emulator's events went to the log file, as JSON lines.
    expect(log).toContain('{"component":"gateway","event":"lambda-stopped","code":"INVOCATIONS_DROPPED"');
    expect(stopped.stdout + stopped.stderr).not.toContain('{"component"');
  });
});
