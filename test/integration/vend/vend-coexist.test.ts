import { describe, expect, it } from 'vitest';
import { issueSimulatedDevice } from '../../../scripts/simulator/identities.js';
import { simulateVendFleet } from '../../../scripts/simulator/vend-fleet.js';
import { certificateArn, thingState, withZeroTouch } from '../../e2e/zero-touch-helpers.js';
import { setUpVend, tokenFor, vendRequest } from './fixture.js';

// The two provisioning paths on one emulator: a JITR fleet (a generic CA preconfigured, the onboard Lambda deciding)
// and the vending endpoint, each with real mqtt.js devices over TLS. Neither may touch the other's Things.
describe('vend and JITR side by side', () => {
  const zt = withZeroTouch(['generic']);

  it('jitr simulate --vend: devices provision through the endpoint (CSR and generated key) and come online over MQTT', async () => {
    const { emulator } = zt.current;
    const { ssm } = await setUpVend(emulator);

    const runs = await Promise.all(
      (['csr', 'keygen'] as const).map((mode) =>
        simulateVendFleet({
          url: emulator.httpApi,
          devices: 3,
          mode,
          prefix: `sim-${mode}`,
          tokenFor: (deviceId) => tokenFor(ssm, deviceId),
          target: { url: emulator.mqtt },
          timeoutMs: 30_000,
        }),
      ),
    );

    for (const run of runs) {
      expect(run.provisioning).toMatchObject({ requested: 3, provisioned: 3, refused: [] });
      expect(run.report.boot).toMatchObject({ devices: 3, online: 3, rejected: 0, failed: 0 });
      expect(run.report.results.every((result) => result.attempts === 1)).toBe(true);
    }
  });

  it('refuses to vend a JITR device id (409 THING_FOREIGN) and leaves its Thing as it was, on POST and DELETE', async () => {
    const { emulator, clients, fleets } = zt.current;
    const { ssm } = await setUpVend(emulator);
    const jitr = await issueSimulatedDevice(fleets[0]!, { deviceId: 'shared-jitr-1' });
    expect((await zt.current.simulate([jitr])).boot.online).toBe(1);
    const before = await thingState(clients, 'shared-jitr-1');
    const token = await tokenFor(ssm, 'shared-jitr-1');

    const post = await vendRequest(emulator, 'POST', '/devices', { token, body: { deviceId: 'shared-jitr-1' } });
    const remove = await vendRequest(emulator, 'DELETE', '/devices/shared-jitr-1', { token });

    expect([post.status, remove.status]).toEqual([409, 409]);
    expect(post.body.error?.code).toBe('THING_FOREIGN');
    expect(await thingState(clients, 'shared-jitr-1')).toEqual(before);
    expect(before?.attributes).toHaveProperty('jitr_ca');
    expect((await zt.current.simulate([jitr])).boot.online).toBe(1);
  });

  it('revokes a JITR certificate claiming a vended Thing (THING_NOT_MANAGED), and the vended device keeps working', async () => {
    const { emulator, clients, fleets, logs } = zt.current;
    const { ssm } = await setUpVend(emulator);
    const token = await tokenFor(ssm, 'vended-1');
    const vended = await vendRequest(emulator, 'POST', '/devices', { token, body: { deviceId: 'vended-1' } });
    expect(vended.status).toBe(201);
    const intruder = await issueSimulatedDevice(fleets[0]!, { deviceId: 'vended-1' });

    const attack = await zt.current.simulate([intruder]);

    expect(attack.results[0]).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED' });
    expect((await logs.decided(intruder.identity.certificateId))?.reasons).toContain('THING_NOT_MANAGED');
    const thing = await thingState(clients, 'vended-1');
    expect(thing?.attributes).toEqual({ jitr_source: 'vend' });
    expect(thing?.principals).toEqual([certificateArn(emulator, String(vended.body.certificateId))]);
    const again = await vendRequest(emulator, 'POST', '/devices', { token, body: { deviceId: 'vended-1' } });
    expect(again.body).toMatchObject({ decision: 'existing', certificateId: vended.body.certificateId });
  });
});
