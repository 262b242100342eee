import { describe, expect, it } from 'vitest';
import { issueSimulatedDevices } from '../../scripts/simulator/identities.js';
import { withZeroTouch } from './zero-touch-helpers.js';

// 200 devices power on at once against the emulator with AWS's default API quotas (ThrottlingException over ~10 TPS
// on the certificate APIs): every device must still end up online, none lost, none stuck pending.
describe('fleet boot storm', () => {
  const zt = withZeroTouch(['azure-sphere', 'microchip'], { quotas: 'aws' });

  it('brings 200 devices of two fleets online at once under the default AWS quotas', async () => {
    const { fleets, emulator } = zt.current;
    const [sphere, chip] = fleets;
    if (!sphere || !chip) throw new Error('no fleets');
    const devices = [...(await issueSimulatedDevices(sphere, 100)), ...(await issueSimulatedDevices(chip, 100))];

    const report = await zt.current.simulate(devices, { concurrency: 100, timeoutMs: 150_000 });

    expect(report.boot).toMatchObject({ devices: 200, online: 200, rejected: 0, failed: 0 });
    const statuses = devices.map((device) => emulator.store.getCertificate(device.identity.certificateId)?.status);
    expect(new Set(statuses)).toEqual(new Set(['ACTIVE']));
  }, 180_000);
});
