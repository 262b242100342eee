import { UpdateThingCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { createFleetCa } from '../../certs/fleet.js';
import { issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import { telemetryTopic } from '../../scripts/simulator/mqtt-session.js';
import { connectDevice } from './gateway-helpers.js';
import { certificateArn, thingState, withZeroTouch } from './zero-touch-helpers.js';

const DAY_MS = 86_400_000;

// Devices that must not get in, and devices that must not act as each other: real mqtt.js clients over TLS against
// the emulator, the onboarding Lambda deciding. Fleets: [0] tenant A, [1] tenant B (both trusted), [2] a Microchip signer,
// [3] a generic CA (device id = CN).
describe('zero-touch security', () => {
  const zt = withZeroTouch(['azure-sphere', 'azure-sphere', 'microchip', 'generic']);

  async function onboarded(index: number): Promise<SimulatedDevice> {
    const fleet = zt.current.fleets[index];
    if (!fleet) throw new Error('no fleet');
    const device = await issueSimulatedDevice(fleet);
    const report = await zt.current.simulate([device]);
    if (report.boot.online !== 1) throw new Error(`device did not onboard: ${JSON.stringify(report.results)}`);
    return device;
  }

  it('refuses a foreign CA claiming an onboarded device id, and the rightful device keeps working', async () => {
    const { fleets, clients, emulator, logs } = zt.current;
    const victim = await onboarded(0);
    const intruder = await issueSimulatedDevice(fleets[1] ?? fleets[0]!, { deviceId: victim.identity.deviceId });
    expect(intruder.identity.thingName).toBe(victim.identity.thingName);

    const attack = await zt.current.simulate([intruder]);

    expect(attack.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
    expect((await logs.decided(intruder.identity.certificateId))?.reasons).toContain('THING_BOUND_TO_OTHER_CA');
    const thing = await thingState(clients, victim.identity.thingName);
    expect(thing?.principals).toEqual([certificateArn(emulator, victim.identity.certificateId)]);
    const again = await zt.current.simulate([victim]);
    expect(again.boot.online).toBe(1);
  });

  it('never lets an expired device connect, and registers nothing for it', async () => {
    const { fleets, clients, emulator } = zt.current;
    const expired = await issueSimulatedDevice(fleets[0]!, { notBefore: new Date(Date.now() - 3 * DAY_MS), days: 1 });

    const report = await zt.current.simulate([expired]);

    expect(report.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_EXPIRED' });
    expect(emulator.store.getCertificate(expired.identity.certificateId)).toBeUndefined();
    expect(await thingState(clients, expired.identity.thingName)).toBeUndefined();
  });

  it('never lets a device of an untrusted tenant connect', async () => {
    const { clients, emulator } = zt.current;
    const otherTenant = await createFleetCa('azure-sphere');
    const stranger = await issueSimulatedDevice(otherTenant);

    const report = await zt.current.simulate([stranger]);

    expect(report.results[0]).toMatchObject({ outcome: 'rejected', reason: 'NOT_REGISTERED' });
    expect(emulator.store.getCertificate(stranger.identity.certificateId)).toBeUndefined();
    expect(await thingState(clients, stranger.identity.thingName)).toBeUndefined();
  });

  it('holds each device to its own Thing: no connecting as another, no publishing or subscribing to its topics', async () => {
    const { target } = zt.current;
    const [a, b] = [await onboarded(2), await onboarded(0)];
    const gateway = { mqtt: target.url, serverCaPem: target.caPem ?? '', servername: target.servername ?? '' };
    const credentials = { certificatePem: a.identity.certificatePem, privateKeyPem: a.identity.privateKeyPem };

    const asB = await connectDevice(gateway, credentials, b.identity.thingName);
    expect(asB.connected).toBe(false);

    const session = await connectDevice(gateway, credentials, a.identity.thingName);
    expect(session.connected).toBe(true);
    if (!session.connected) return;
    await session.client.subscribeAsync(telemetryTopic(a.identity.thingName), { qos: 1 });
    await expect(session.client.subscribeAsync(telemetryTopic(b.identity.thingName))).rejects.toThrow(
      /Subscribe error/,
    );
    await session.client.publishAsync(telemetryTopic(a.identity.thingName), '{"own":true}', { qos: 1 });
    const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
    session.client.publish(telemetryTopic(b.identity.thingName), '{"spoofed":true}', { qos: 1 });
    await closed;
    session.client.end(true);
  });

  // One device id, one Thing: ids that differ only by case or by Unicode folding never share a Thing.
  describe('device ids (generic profile)', () => {
    async function onboardedGeneric(deviceId: string): Promise<SimulatedDevice> {
      const device = await issueSimulatedDevice(zt.current.fleets[3]!, { deviceId });
      const report = await zt.current.simulate([device]);
      if (report.boot.online !== 1) throw new Error(`device did not onboard: ${JSON.stringify(report.results)}`);
      return device;
    }

    async function refused(deviceId: string) {
      const intruder = await issueSimulatedDevice(zt.current.fleets[3]!, { deviceId });
      const report = await zt.current.simulate([intruder]);
      return { report, decision: await zt.current.logs.decided(intruder.identity.certificateId) };
    }

    it('records the exact id on the Thing and refuses, as a security event, an id differing only by case', async () => {
      const { clients, emulator } = zt.current;
      const owner = await onboardedGeneric('RT-CASE');

      const { report, decision } = await refused('rt-case');

      expect(report.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
      expect(decision).toMatchObject({ decision: 'rejected', reasons: ['DEVICE_ID_CONFUSABLE'], security: true });
      const thing = await thingState(clients, 'rt-case');
      expect(thing?.attributes.jitr_device_id).toBe('RT-CASE');
      expect(thing?.principals).toEqual([certificateArn(emulator, owner.identity.certificateId)]);
      expect((await zt.current.simulate([owner])).boot.online).toBe(1);
    });

    it('refuses an id with the Kelvin sign (U+212A), which lowercases to "k", and leaves the "k" device its Thing', async () => {
      const { clients, emulator } = zt.current;
      const owner = await onboardedGeneric('sensor-k');

      const { report, decision } = await refused('sensor-\u212A');

      expect(report.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
      expect(decision).toMatchObject({ reasons: ['DEVICE_ID_INVALID', 'DEVICE_ID_CONFUSABLE'], security: true });
      expect((await thingState(clients, 'sensor-k'))?.principals).toEqual([
        certificateArn(emulator, owner.identity.certificateId),
      ]);
      expect((await zt.current.simulate([owner])).boot.online).toBe(1);
    });

    it('makes no Thing for a non-ASCII id even when no device holds the id it folds to', async () => {
      const { report, decision } = await refused('\uFF2B\uFF45\uFF4C\uFF56\uFF49\uFF4E-9');

      expect(report.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
      expect(decision?.reasons).toEqual(['DEVICE_ID_INVALID', 'DEVICE_ID_CONFUSABLE']);
      expect(await thingState(zt.current.clients, 'kelvin-9')).toBeUndefined();
    });

    it('on a Thing made before ids were recorded, its ACTIVE certificate decides: the owner rotates, a case variant is refused', async () => {
      const { clients } = zt.current;
      const owner = await onboardedGeneric('Legacy-1');
      // What a Thing onboarded by an earlier release looks like: no jitr_device_id.
      await clients.iot.send(
        new UpdateThingCommand({
          thingName: 'legacy-1',
          attributePayload: { attributes: { jitr_device_id: '' }, merge: true },
        }),
      );

      const { decision } = await refused('LEGACY-1');
      if (!owner.reissue) throw new Error('a simulated device can be reissued');
      const renewed = { ...owner, identity: await owner.reissue() };
      const rotation = await zt.current.simulate([renewed]);

      expect(decision).toMatchObject({ reasons: ['DEVICE_ID_CONFUSABLE'], security: true });
      expect(rotation.boot.online).toBe(1);
      expect((await thingState(clients, 'legacy-1'))?.attributes.jitr_device_id).toBeUndefined();
    });
  });
});
