import { describe, expect, it } from 'vitest';
import { deprovision } from '../../scripts/operator/deprovision.js';
import { revoke } from '../../scripts/operator/revoke.js';
import { issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import { connectDevice } from './gateway-helpers.js';
import { thingState, withZeroTouch } from './zero-touch-helpers.js';

// Day-2 operations on onboarded devices, with the operator's own cores (what `jitr revoke` and `jitr deprovision` run),
// seen from real mqtt.js devices: a live session is cut, and the device cannot come back.
describe('zero-touch lifecycle: revocation and deprovisioning', () => {
  const zt = withZeroTouch(['azure-sphere']);

  async function onboardedWithSession(): Promise<{ device: SimulatedDevice; closed: Promise<void> }> {
    const { fleets, target } = zt.current;
    const fleet = fleets[0];
    if (!fleet) throw new Error('no fleet');
    const device = await issueSimulatedDevice(fleet);
    const report = await zt.current.simulate([device]);
    if (report.boot.online !== 1) throw new Error(`not onboarded: ${JSON.stringify(report.results)}`);
    const session = await connectDevice(
      { mqtt: target.url, serverCaPem: target.caPem ?? '', servername: target.servername ?? '' },
      { certificatePem: device.identity.certificatePem, privateKeyPem: device.identity.privateKeyPem },
      device.identity.thingName,
    );
    if (!session.connected) throw new Error(`no session: ${session.reason}`);
    const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
    void closed.then(() => session.client.end(true));
    return { device, closed };
  }

  it('revocation cuts the live session, the device can no longer connect, and its id goes on the deny list', async () => {
    const { clients } = zt.current;
    const { device, closed } = await onboardedWithSession();

    const result = await revoke(clients, {
      target: { thing: device.identity.thingName },
      stage: 'dev',
      reason: 'stolen',
    });

    expect(result.revoked.map((r) => r.certificateId)).toEqual([device.identity.certificateId]);
    expect(result.denied.deviceIds).toContain(device.identity.thingName);
    await closed;
    const retry = await zt.current.simulate([device]);
    expect(retry.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
    // A renewed certificate for the same id is refused at once, whatever the Lambda has cached: the revocation marks the
    // Thing (zero-touch-revocation.test.ts races it against a rotation).
  });

  it('deprovisioning with --keep-certs deletes the Thing, cuts the session and keeps the device out', async () => {
    const { clients, emulator } = zt.current;
    const { device, closed } = await onboardedWithSession();

    await deprovision(clients, { thingName: device.identity.thingName, keepCertificates: true });

    await closed;
    expect(await thingState(clients, device.identity.thingName)).toBeUndefined();
    expect(emulator.store.getCertificate(device.identity.certificateId)?.status).toBe('REVOKED');
    const retry = await zt.current.simulate([device]);
    expect(retry.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
  });

  it('deprovisioning deletes the Thing and the certificates and cuts the session', async () => {
    const { clients, emulator } = zt.current;
    const { device, closed } = await onboardedWithSession();

    const result = await deprovision(clients, { thingName: device.identity.thingName });

    expect(result.thingDeleted).toBe(true);
    await closed;
    expect(await thingState(clients, device.identity.thingName)).toBeUndefined();
    expect(emulator.store.getCertificate(device.identity.certificateId)).toBeUndefined();
  });
});
