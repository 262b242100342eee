import { describe, expect, it } from 'vitest';
import { iotAdapter } from '../../../functions/onboard/iot-adapter.js';
import { handleRegisteredEvent } from '../../../functions/onboard/run.js';
import { iotClientFor, withEmulator } from '../../helpers/aws.js';
import {
  autoRegister,
  deviceState,
  ensurePolicy,
  fleetEntry,
  harness,
  POLICY_NAME,
  registerFleet,
  writeFleetConfig,
} from './fixture.js';

// A boot storm against AWS's default quotas (DescribeCertificate and UpdateCertificate: 10 TPS).
describe('onboarding Lambda under API quotas', () => {
  const local = withEmulator({ quotas: 'aws' });

  it('onboards a burst of devices with its quota retries, and a call still throttled after its attempts throws', async () => {
    const iot = iotClientFor(local.emulator, { maxAttempts: 10 });
    await ensurePolicy(iot);
    const fleet = await registerFleet(iot, 'generic');
    await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(fleet)] });
    const devices = [];
    for (let i = 0; i < 16; i++) devices.push(await autoRegister(iot, local.emulator, fleet));

    // Without retries the burst overruns the 10 TPS bucket: some invocations throw (Lambda would retry them) ...
    const impatient = harness(local.emulator, { iot: iotAdapter(iotClientFor(local.emulator, { maxAttempts: 1 })) });
    // Every event three times over, as a boot storm with reconnecting devices delivers them.
    const storm = [...devices, ...devices, ...devices];
    const firstTry = await Promise.allSettled(storm.map((d) => handleRegisteredEvent(d.event, impatient.deps)));
    const throttled = firstTry.filter((r) => r.status === 'rejected');
    // ... and the Lambda's own client (retries within 2 s, 16 attempts) absorbs the rest of the storm.
    const patient = harness(local.emulator);
    const retried = await Promise.all(devices.map((d) => handleRegisteredEvent(d.event, patient.deps)));

    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((r) => r.status === 'rejected' && (r.reason as Error).name === 'ThrottlingException')).toBe(
      true,
    );
    expect(impatient.lines.some((line) => line.level === 'ERROR' && line.error === 'ThrottlingException')).toBe(true);
    expect(retried.every((r) => r.decision === 'onboarded' || r.decision === 'duplicate')).toBe(true);
    // Checked on the registry itself: more DescribeCertificate calls would only queue behind the same quota.
    for (const device of devices) {
      expect(local.emulator.store.getCertificate(device.certificateId)?.status).toBe('ACTIVE');
    }
    const last = devices.at(-1)!;
    expect(await deviceState(iot, last)).toEqual({
      status: 'ACTIVE',
      things: [last.thingName],
      policies: [POLICY_NAME],
    });
  }, 90_000);
});
