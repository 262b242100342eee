import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withEmulator } from '../../helpers/aws.js';
import { setUpVend } from './fixture.js';

const root = join(import.meta.dirname, '..', '..', '..');

function jitr(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'jitr.js'), ...args], {
      env: { ...process.env, ...env, JITR_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

// `jitr simulate --vend URL` as a user runs it against `jitr local start` (JITR_LOCAL holds its ready line).
describe('jitr simulate --vend', () => {
  const local = withEmulator();
  const env = () => {
    const { controlPlane, mqtt, serverCa, region, accountId, httpApi } = local.emulator;
    return { JITR_LOCAL: JSON.stringify({ controlPlane, mqtt, serverCa, region, accountId, httpApi }) };
  };

  it('provisions every simulated device through the endpoint and brings it online over MQTT (exit 0)', async () => {
    await setUpVend(local.emulator);

    const run = await jitr(['simulate', '--vend', local.emulator.httpApi, '--devices', '4', '--json'], env());

    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.vend).toMatchObject({ mode: 'csr', requested: 4, provisioned: 4, refused: [] });
    expect(report).toMatchObject({ devices: 4, online: 4, rejected: 0, failed: 0 });
  });

  it('refuses a --vend that is not an http(s) URL (exit 2)', async () => {
    const run = await jitr(['simulate', '--vend', 'mqtts://x', '--devices', '1', '--json'], env());

    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'USAGE' } });
  });
});

// A fresh emulator: the vend container caches its configuration for 30 s, so another mode needs other containers.
describe('jitr simulate --vend against an endpoint that refuses the devices', () => {
  const local = withEmulator();
  const env = () => {
    const { controlPlane, mqtt, serverCa, region, accountId, httpApi } = local.emulator;
    return { JITR_LOCAL: JSON.stringify({ controlPlane, mqtt, serverCa, region, accountId, httpApi }) };
  };

  it('exits 3 and names the code when the endpoint refuses the devices', async () => {
    await setUpVend(local.emulator, {
      auth: { mode: 'balena' },
      balena: { apiUrl: 'http://127.0.0.1:9', tokenParameter: '/jitr/dev/vend/none' },
    });

    const run = await jitr(['simulate', '--vend', local.emulator.httpApi, '--devices', '2', '--json'], env());

    expect(run.status).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.vend.refused).toEqual([
      expect.objectContaining({ status: 400, code: 'INVALID_DEVICE_ID' }),
      expect.objectContaining({ status: 400, code: 'INVALID_DEVICE_ID' }),
    ]);
  });
});
