import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withZeroTouch } from './zero-touch-helpers.js';
import { LOCAL_OPERATOR_CREDENTIALS } from '../../local/iam/identities.js';

const root = join(import.meta.dirname, '..', '..');

/** Runs the compiled CLI as a user does; resolves with its exit code and output. */
function jitr(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'jitr.js'), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// The operator's path with the CLI only: `jitr ca create`, `jitr preconfigure`, `jitr simulate` against the emulator.
describe('jitr simulate (CLI)', () => {
  const zt = withZeroTouch([]);
  const dir = mkdtempSync(join(tmpdir(), 'jitr-simulate-'));
  const awsEnv = () => ({
    AWS_ENDPOINT_URL: zt.current.emulator.controlPlane,
    AWS_REGION: zt.current.emulator.region,
    // The CLI runs as the operator identity (docs/operator-policy.json).
    AWS_ACCESS_KEY_ID: LOCAL_OPERATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_OPERATOR_CREDENTIALS.secretAccessKey,
  });
  const ready = () => {
    const { emulator } = zt.current;
    return JSON.stringify({
      controlPlane: emulator.controlPlane,
      mqtt: emulator.mqtt,
      serverCa: emulator.serverCa,
      region: emulator.region,
      accountId: emulator.accountId,
    });
  };

  it('boots a fleet from a CA directory, rotates it, and reports as JSON and HTML', async () => {
    const caDir = join(dir, 'sphere');
    const report = join(dir, 'report.html');
    expect((await jitr(['ca', 'create', '--profile', 'azure-sphere', '--out', caDir], {})).code).toBe(0);
    const setup = await jitr(
      [
        'preconfigure',
        '--ca-cert',
        join(caDir, 'ca.cert.pem'),
        '--ca-key',
        join(caDir, 'ca.key.pem'),
        '--profile',
        'azure-sphere',
      ],
      awsEnv(),
    );
    expect(setup.code, setup.stderr).toBe(0);

    const run = await jitr(
      [
        'simulate',
        '--ca',
        caDir,
        '--profile',
        'azure-sphere',
        '--devices',
        '3',
        '--rotate',
        '--report',
        report,
        '--json',
      ],
      { JITR_LOCAL: ready() },
    );

    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({ devices: 3, online: 3, rejected: 0, failed: 0, notOnline: [] });
    expect(document.rotation).toMatchObject({ devices: 3, online: 3 });
    expect(document.timeToOnlineMs.p50).toBeGreaterThan(0);
    expect(document.reconnects).toBeGreaterThanOrEqual(3);
    // Progress went to stderr as plain lines (stderr is not a terminal here).
    expect(run.stderr).toMatch(/simulate: \[#+\] 3\/3 online/);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('<svg');
  });

  it('prints the table for people and exits 3 when devices are rejected', async () => {
    const caDir = join(dir, 'untrusted');
    expect((await jitr(['ca', 'create', '--profile', 'generic', '--out', caDir], {})).code).toBe(0);

    const run = await jitr(['simulate', '--ca', caDir, '--profile', 'generic', '--devices', '2'], {
      JITR_LOCAL: ready(),
    });

    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/boot\s+2\s+0\s+2\s+0/);
    expect(run.stdout).toContain('NOT_REGISTERED');
  });

  it('refuses bad flags with exit 2 and a stable code', async () => {
    const caDir = join(dir, 'sphere');
    const badEndpoint = await jitr(
      ['simulate', '--ca', caDir, '--profile', 'azure-sphere', '--devices', '1', '--endpoint', 'http://x', '--json'],
      {},
    );
    expect(badEndpoint.code).toBe(2);
    expect(JSON.parse(badEndpoint.stdout).error.code).toBe('BAD_ENDPOINT');
    const noDevices = await jitr(['simulate', '--ca', caDir, '--profile', 'azure-sphere', '--json'], {});
    expect(noDevices.code).toBe(2);
    const missingCa = await jitr(
      ['simulate', '--ca', join(dir, 'absent'), '--profile', 'generic', '--devices', '1'],
      {},
    );
    expect(missingCa.code).toBe(2);
    expect(missingCa.stderr).toContain('FILE_UNREADABLE');
  });
});
