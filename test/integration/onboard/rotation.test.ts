import { DescribeCertificateCommand } from '@aws-sdk/client-iot';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomAzureSphereDeviceId } from '../../../certs/fleet.js';
import { handleRegisteredEvent } from '../../../functions/onboard/run.js';
import { iotClientFor, withEmulator } from '../../helpers/aws.js';
import {
  autoRegister,
  deviceState,
  ensurePolicy,
  fleetEntry,
  harness,
  registerFleet,
  type TestFleet,
  thingOf,
  writeFleetConfig,
} from './fixture.js';

const HOUR = 3_600_000;

describe('onboarding Lambda: certificate rotation (Azure Sphere renews daily)', () => {
  const local = withEmulator({ quotas: 'off' });
  let sphere: TestFleet;

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    sphere = await registerFleet(iot, 'azure-sphere');
    await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(sphere)] });
  });

  /** A certificate of the same device, issued `hoursAgo` hours ago and valid 4 days. */
  const renew = (deviceId: string, hoursAgo: number) =>
    autoRegister(iotClientFor(local.emulator), local.emulator, sphere, {
      deviceId,
      days: 4,
      notBefore: new Date(Date.now() - hoursAgo * HOUR),
    });

  async function exists(certificateId: string): Promise<boolean> {
    try {
      await iotClientFor(local.emulator).send(new DescribeCertificateCommand({ certificateId }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return false;
      throw error;
    }
  }

  it('keeps yesterday’s certificate live next to today’s within the grace window, then retires both older ones', async () => {
    const iot = iotClientFor(local.emulator);
    const deviceId = randomAzureSphereDeviceId();
    const day1 = await renew(deviceId, 30);
    const day2 = await renew(deviceId, 1);
    await handleRegisteredEvent(day1.event, harness(local.emulator).deps);

    const overlap = await handleRegisteredEvent(day2.event, harness(local.emulator).deps);

    expect(overlap).toMatchObject({ decision: 'rotated', retired: [] });
    expect(await deviceState(iot, day1)).toMatchObject({ status: 'ACTIVE', things: [day1.thingName] });
    expect(await deviceState(iot, day2)).toMatchObject({ status: 'ACTIVE', things: [day1.thingName] });

    const day3 = await renew(deviceId, 0.5);
    const later = harness(local.emulator, { now: () => Date.now() + 49 * HOUR });
    const rotated = await handleRegisteredEvent(day3.event, later.deps);

    expect(rotated.decision).toBe('rotated');
    expect(new Set(rotated.retired)).toEqual(new Set([day1.certificateId, day2.certificateId]));
    expect(await exists(day1.certificateId)).toBe(false);
    expect(await exists(day2.certificateId)).toBe(false);
    expect((await thingOf(iot, day3.thingName))?.principals).toEqual([day3.certificateArn]);
    expect(await deviceState(iot, day3)).toMatchObject({ status: 'ACTIVE' });
  });

  it('never lets a late event for an older certificate displace the newer one', async () => {
    const iot = iotClientFor(local.emulator);
    const deviceId = randomAzureSphereDeviceId();
    const newest = await renew(deviceId, 1);
    const older = await renew(deviceId, 20);
    const oldest = await renew(deviceId, 40);
    await handleRegisteredEvent(newest.event, harness(local.emulator).deps);

    // Within grace an older certificate may overlap (the device may still boot with it) ...
    const lateButFresh = await handleRegisteredEvent(older.event, harness(local.emulator).deps);
    // ... long after its successor registered, it is parked instead, and the newest stays untouched.
    const lateAndStale = await handleRegisteredEvent(
      oldest.event,
      harness(local.emulator, { now: () => Date.now() + 49 * HOUR }).deps,
    );

    expect(lateButFresh).toMatchObject({ decision: 'rotated', retired: [] });
    expect(lateAndStale.decision).toBe('superseded');
    expect(lateAndStale.retired).not.toContain(newest.certificateId);
    expect(await deviceState(iot, newest)).toMatchObject({ status: 'ACTIVE', things: [newest.thingName] });
    expect(await deviceState(iot, oldest)).toEqual({ status: 'INACTIVE', things: [], policies: [] });
  });

  it('onboards the same rotation identically when the events arrive newest first and duplicated', async () => {
    const iot = iotClientFor(local.emulator);
    const deviceId = randomAzureSphereDeviceId();
    const a = await renew(deviceId, 10);
    const b = await renew(deviceId, 2);
    const { deps } = harness(local.emulator);

    for (const event of [b.event, a.event, b.event, a.event]) await handleRegisteredEvent(event, deps);

    expect(await deviceState(iot, a)).toMatchObject({ status: 'ACTIVE', things: [a.thingName] });
    expect(await deviceState(iot, b)).toMatchObject({ status: 'ACTIVE', things: [a.thingName] });
    expect(new Set((await thingOf(iot, a.thingName))?.principals)).toEqual(
      new Set([a.certificateArn, b.certificateArn]),
    );
  });
});
