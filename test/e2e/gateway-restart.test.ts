import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../local/server.js';
import { captureEmulatorLogs, printOnFailure } from '../helpers/emulator-logs.js';
import { activeDevice, gatewayOf } from '../conformance/gateway-fixtures.js';
import { iotClientFor } from '../helpers/aws.js';
import { connectDevice } from './gateway-helpers.js';

// `jitr local start --state FILE`: a restart loses nothing a device depends on: its certificate, policy, and the root
// it was told to trust for the gateway's server certificate.
describe('gateway: restart from --state', () => {
  const logs = captureEmulatorLogs();
  printOnFailure(() => logs);
  const directory = mkdtempSync(join(tmpdir(), 'jitr-restart-'));
  const statePath = join(directory, 'state.json');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('presents the same server root and lets the same device connect after a restart', async () => {
    const first = await startLocal({ logs, statePath });
    const iot = iotClientFor(first);
    const device = await activeDevice(iot, {
      statements: [
        {
          Effect: 'Allow',
          Action: 'iot:Connect',
          Resource: `arn:aws:iot:${first.region}:${first.accountId}:client/keeper`,
        },
      ],
    });
    const trustedRoot = readFileSync(first.serverCa, 'utf8');
    await first.stop();

    const second = await startLocal({ logs, statePath });
    try {
      const gateway = await gatewayOf(second, iotClientFor(second));
      expect(gateway.serverCaPem).toBe(trustedRoot);
      // The device keeps the root it had before the restart.
      const outcome = await connectDevice({ ...gateway, serverCaPem: trustedRoot }, device.identity, 'keeper');
      expect(outcome.connected).toBe(true);
      if (outcome.connected) await outcome.client.endAsync();
    } finally {
      await second.stop();
    }
  });
});
