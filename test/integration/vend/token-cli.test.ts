import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withEmulator } from '../../helpers/aws.js';
import { setUpVend, vendRequest } from './fixture.js';
import { LOCAL_OPERATOR_CREDENTIALS } from '../../../local/iam/identities.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** `node bin/jitr.js ...` as an operator runs it, with the SDK pointed at the emulator. */
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

describe('jitr token create', () => {
  const local = withEmulator();
  const env = () => ({
    AWS_ENDPOINT_URL: local.emulator.controlPlane,
    AWS_REGION: local.emulator.region,
    // The CLI runs as the operator identity (docs/operator-policy.json).
    AWS_ACCESS_KEY_ID: LOCAL_OPERATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_OPERATOR_CREDENTIALS.secretAccessKey,
  });

  it('prints one JSON document with a token that provisions exactly that device', async () => {
    await setUpVend(local.emulator);

    const run = await jitr(['token', 'create', '--device-id', 'cli-dev-1', '--json'], env());

    expect(run.status).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({
      deviceId: 'cli-dev-1',
      stage: 'dev',
      parameter: '/jitr/dev/vend/tokens/cli-dev-1',
    });
    const own = await vendRequest(local.emulator, 'POST', '/devices', {
      token: document.token,
      body: { deviceId: 'cli-dev-1' },
    });
    const other = await vendRequest(local.emulator, 'POST', '/devices', {
      token: document.token,
      body: { deviceId: 'cli-dev-2' },
    });
    expect([own.status, other.status]).toEqual([201, 403]);
  });

  it('refuses a device id that cannot be a thing name: exit 2 and a coded JSON error', async () => {
    const run = await jitr(['token', 'create', '--device-id', 'bad/id', '--json'], env());

    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'USAGE' } });
  });
});
