import { beforeAll, describe, expect, it } from 'vitest';
import { handleRegisteredEvent } from '../../../functions/onboard/run.js';
import { SettledCertificates } from '../../../functions/onboard/settled.js';
import { iotClientFor, withEmulator } from '../../helpers/aws.js';
import {
  autoRegister,
  deviceState,
  ensurePolicy,
  fleetEntry,
  harness,
  registerFleet,
  type TestFleet,
  writeFleetConfig,
} from './fixture.js';

// https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html documents the registration event
// with `"timestamp": timestamp` (a number) and `"certificateRegistrationTimestamp": "..."` (a string); both fields have
// been seen as strings of digits, as numbers and as null. The Lambda onboards from every variant.
describe('onboarding Lambda: the JITR event in every documented and observed form', () => {
  const local = withEmulator({ quotas: 'off' });
  let fleet: TestFleet;

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    fleet = await registerFleet(iot, 'generic');
    await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(fleet)] });
  });

  const now = Date.now();
  it.each([
    ['as documented: timestamp a number, certificateRegistrationTimestamp a string', now, String(now)],
    ['both strings of digits', String(now), String(now)],
    ['both numbers', now, now],
    ['certificateRegistrationTimestamp null', now, null],
    ['both null', null, null],
  ])('onboards a device from an event with %s', async (_what, timestamp, certificateRegistrationTimestamp) => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    const { deps } = harness(local.emulator);

    const result = await handleRegisteredEvent({ ...device.event, timestamp, certificateRegistrationTimestamp }, deps);

    expect(result).toMatchObject({ decision: 'onboarded', thingName: device.thingName });
    expect((await deviceState(iot, device)).status).toBe('ACTIVE');
  });

  it('recognises a duplicate from the warm cache whether the registration time came as a string or a number', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    const { deps } = harness(local.emulator);
    const container = { ...deps, settled: new SettledCertificates(60_000) };
    const registered = Number(device.event.certificateRegistrationTimestamp);

    const first = await handleRegisteredEvent(
      { ...device.event, certificateRegistrationTimestamp: String(registered) },
      container,
    );
    const again = await handleRegisteredEvent(
      { ...device.event, certificateRegistrationTimestamp: registered },
      container,
    );

    expect(first.decision).toBe('onboarded');
    expect(again).toMatchObject({ decision: 'duplicate', apiCalls: 0 });
  });
});
