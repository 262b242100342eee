import { describe, expect, it } from 'vitest';
import { issueSimulatedDevice, issueSimulatedDevices } from '../../scripts/simulator/identities.js';
import { certificateArn, thingState, withZeroTouch } from './zero-touch-helpers.js';

// Zero-touch onboarding end to end: real mqtt.js devices over TLS with SNI against the emulator's gateway, the
// onboarding Lambda from serverless.yml run by the emulator's rules engine, set up by `preconfigure`.
describe('zero-touch onboarding', () => {
  const zt = withZeroTouch(['azure-sphere', 'microchip']);

  it('onboards Azure Sphere devices: dropped on first contact, Thing named by the lowercase device id, back online', async () => {
    const { fleets, clients, emulator } = zt.current;
    const sphere = fleets[0];
    if (!sphere) throw new Error('no fleet');
    const devices = await issueSimulatedDevices(sphere, 4);

    const report = await zt.current.simulate(devices);

    expect(report.boot).toMatchObject({ devices: 4, online: 4, rejected: 0, failed: 0 });
    // Every device needed a second connection: the first was the JITR drop.
    expect(report.results.every((result) => result.attempts >= 2)).toBe(true);
    for (const device of devices) {
      const { thingName, deviceId, certificateId } = device.identity;
      expect(thingName).toBe(deviceId.toLowerCase());
      expect(thingName).toMatch(/^[0-9a-f]{128}$/);
      const thing = await thingState(clients, thingName);
      expect(thing?.principals).toEqual([certificateArn(emulator, certificateId)]);
      expect(emulator.store.getCertificate(certificateId)?.status).toBe('ACTIVE');
    }
  });

  it('onboards Microchip devices under the SKI thing name, whether or not they present their signer', async () => {
    const { fleets, clients, emulator } = zt.current;
    const chip = fleets[1];
    if (!chip) throw new Error('no fleet');
    const devices = await issueSimulatedDevices(chip, 4);
    devices.forEach((device, index) => {
      device.presentsCa = index % 2 === 0;
    });

    const report = await zt.current.simulate(devices);

    expect(report.boot).toMatchObject({ devices: 4, online: 4, rejected: 0, failed: 0 });
    for (const device of devices) {
      expect(device.identity.thingName).toMatch(/^[0-9a-f]{40}$/);
      const thing = await thingState(clients, device.identity.thingName);
      expect(thing?.principals).toContain(certificateArn(emulator, device.identity.certificateId));
    }
  });

  it('onboards a device that never presents its CA certificate, for both profiles', async () => {
    const { fleets } = zt.current;
    const devices = await Promise.all(fleets.map((fleet) => issueSimulatedDevice(fleet)));
    for (const device of devices) device.presentsCa = false;

    const report = await zt.current.simulate(devices);

    expect(report.boot).toMatchObject({ devices: 2, online: 2 });
  });

  it('rotation: every device renews its certificate, reconnects and rejoins its own Thing', async () => {
    const { fleets, clients, emulator } = zt.current;
    const devices = await Promise.all(
      fleets.flatMap((fleet) => [issueSimulatedDevice(fleet), issueSimulatedDevice(fleet)]),
    );

    const report = await zt.current.simulate(devices, { rotate: true });

    expect(report.boot).toMatchObject({ devices: 4, online: 4 });
    expect(report.rotation).toMatchObject({ devices: 4, online: 4, rejected: 0, failed: 0 });
    for (const renewed of report.results.filter((result) => result.phase === 'rotate')) {
      const original = devices.find((device) => device.identity.thingName === renewed.thingName);
      expect(original).toBeDefined();
      expect(renewed.certificateId).not.toBe(original?.identity.certificateId);
      const thing = await thingState(clients, renewed.thingName);
      expect(thing?.principals).toContain(certificateArn(emulator, renewed.certificateId));
      expect(emulator.store.getCertificate(renewed.certificateId)?.status).toBe('ACTIVE');
    }
  });
});
