import { describe, expect, it } from 'vitest';
import { createFleetCa } from '../../certs/fleet.js';
import { issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import { telemetryTopic } from '../../scripts/simulator/mqtt-session.js';
import { connectDevice } from './gateway-helpers.js';
import { certificateArn, thingState, withZeroTouch } from './zero-touch-helpers.js';

const DAY_MS = 86_400_000;

// Devices that must not get in, and devices that must not act as each other: real mqtt.js clients over TLS against
// the emulator, the onboarding Lambda deciding. Fleets: [0] tenant A, [1] tenant B (both trusted), [2] a Microchip signer.
describe('zero-touch security', () => {
  const zt = withZeroTouch(['azure-sphere', 'azure-sphere', 'microchip']);

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
    expect(logs.decisions.get(intruder.identity.certificateId)?.reasons).toContain('THING_BOUND_TO_OTHER_CA');
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
});
