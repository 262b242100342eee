import { beforeAll, describe, expect, it } from 'vitest';
import { createFleetCa, type FleetCa, issueFleetDevice } from '../../certs/fleet.js';
import { memoryCursorStore } from '../../functions/reconcile/cursor.js';
import { reconcile } from '../../functions/reconcile/run.js';
import type { Finding } from '../../scripts/operator/diagnose.js';
import { onboardDeps } from '../../scripts/operator/onboard-deps.js';
import { csrForKey, issueSimulatedDevice } from '../../scripts/simulator/identities.js';
import type { SimulatedDevice } from '../../scripts/simulator/model.js';
import { jitr, json, scratchDir } from '../integration/operator/cli-harness.js';
import { thingState, withZeroTouch } from './zero-touch-helpers.js';

const HOUR = 3_600_000;
const DEVICES = 20;
const PARAMETER = '/jitr/dev/fleet-config';
/** Devices retry fast here: the test is about the pipeline, not about device back-off. */
const QUICK = { timeoutMs: 20_000, backoff: { baseMs: 100, capMs: 1_000 } };

/** The device's next daily certificate, signed by `ca` (same key, same device id), as the device would fetch it. */
async function renewedBy(ca: FleetCa, device: SimulatedDevice): Promise<SimulatedDevice> {
  const { deviceId, privateKeyPem } = device.identity;
  const issued = await issueFleetDevice(ca, { deviceId, csrPem: await csrForKey(privateKeyPem, deviceId) });
  return {
    identity: {
      deviceId,
      thingName: issued.thingName,
      certificatePem: issued.certificatePem,
      privateKeyPem,
      certificateId: issued.certificateId,
      chainPem: issued.chainPem,
    },
  };
}

// CA rollover as docs/operations.md#renewing-a-ca describes it, run with its commands against the emulator, with real
// mqtt.js devices: an Azure Sphere tenant renews its CA while 20 devices rotate daily certificates; then a factory CA
// re-issued without its predecessor recorded, held for the operator and resolved with --rollover-from.
describe('zero-touch CA rollover', () => {
  const zt = withZeroTouch(['azure-sphere', 'generic'], { iam: 'on' });
  const files = scratchDir();
  let renewed: FleetCa;
  let factory2: FleetCa;

  const cli = async (...argv: string[]) => {
    const run = await jitr(zt.current.emulator, ...argv, '--stage', 'dev', '--json');
    return { code: run.code, data: json(run) };
  };
  const revokedAmong = (ids: string[]) =>
    ids.filter((id) => zt.current.emulator.store.getCertificate(id)?.status === 'REVOKED');

  // The successors are preconfigured before any device connects, as a tenant does when Azure Sphere publishes its next
  // CA: a Lambda container picks a configuration change up within a minute (its cache), longer than this file runs.
  beforeAll(async () => {
    const [tenant, factory] = zt.current.fleets as [FleetCa, FleetCa];
    renewed = await createFleetCa('azure-sphere', { tenantId: tenant.tenantId ?? '' });
    factory2 = await createFleetCa('generic', { commonName: 'jitr generic fleet CA 2' });
    files.write('tenant-ca.cer', tenant.certificatePem);
    files.write('tenant-ca-2.cer', renewed.certificatePem);
    files.write('tenant-ca-2.key', renewed.privateKeyPem);
    files.write('factory-ca.pem', factory.certificatePem);
    files.write('factory-ca-2.pem', factory2.certificatePem);
    files.write('factory-ca-2.key', factory2.privateKeyPem);
    const sphere = await cli(
      'preconfigure',
      '--ca-cert',
      `${files.path}/tenant-ca-2.cer`,
      '--ca-key',
      `${files.path}/tenant-ca-2.key`,
      '--profile',
      'azure-sphere',
    );
    const generic = await cli(
      'preconfigure',
      '--ca-cert',
      `${files.path}/factory-ca-2.pem`,
      '--ca-key',
      `${files.path}/factory-ca-2.key`,
      '--profile',
      'generic',
    );
    if (sphere.code !== 0 || generic.code !== 0) throw new Error(JSON.stringify({ sphere, generic }));
  });

  it('20 devices rotate daily across a tenant CA renewal onto their Things, none revoked, then the old CA retires', async () => {
    const { emulator, clients, logs } = zt.current;
    const tenant = zt.current.fleets[0] as FleetCa;
    const preconfigured = await cli(
      'preconfigure',
      '--ca-cert',
      `${files.path}/tenant-ca-2.cer`,
      '--profile',
      'azure-sphere',
    );
    expect(preconfigured.data.rolloverFrom).toEqual([tenant.certificateId]);

    // Day 0: certificates of the old tenant CA, issued 23 h ago (they expire within the hour).
    const devices = await Promise.all(
      Array.from({ length: DEVICES }, () =>
        issueSimulatedDevice(tenant, { notBefore: new Date(Date.now() - 23 * HOUR), days: 1 }),
      ),
    );
    const boot = await zt.current.simulate(devices, QUICK);
    // Day 1: Azure Sphere signs the daily certificates with the renewed tenant CA.
    const day1 = await Promise.all(devices.map((device) => renewedBy(renewed, device)));
    const rotation1 = await zt.current.simulate(day1, QUICK);
    // Yesterday's certificates still connect during the grace window: a device that reboots onto one is not cut off.
    const overlap = devices.map((device) => emulator.store.getCertificate(device.identity.certificateId)?.status);
    const refused = await cli('ca', 'retire', `${files.path}/tenant-ca.cer`);
    // The reconciler two hours later: yesterday's certificates have expired and are retired.
    await reconcile(
      {},
      {
        ...onboardDeps(clients, PARAMETER),
        now: () => Date.now() + 2 * HOUR,
        cursor: memoryCursorStore(),
        maxCertificates: 1_000,
        pendingAgeMs: 120_000,
      },
    );
    const retired = await cli('ca', 'retire', `${files.path}/tenant-ca.cer`);
    // Day 2: the next daily certificates, with the old CA gone.
    const day2 = await Promise.all(devices.map((device) => renewedBy(renewed, device)));
    const rotation2 = await zt.current.simulate(day2, QUICK);
    const doctor = (await cli('doctor')).data.findings as Finding[];

    expect([boot.boot.online, rotation1.boot.online, rotation2.boot.online]).toEqual([DEVICES, DEVICES, DEVICES]);
    // Each renewed certificate joined the device's existing Thing (duplicates the device's reconnections re-published
    // after that do not count as its decision).
    for (const [index, device] of devices.entries()) {
      const thing = await thingState(clients, device.identity.thingName);
      for (const certificate of [day1[index]!, day2[index]!]) {
        expect((await logs.decided(certificate.identity.certificateId))?.decision).toBe('rotated');
        expect(thing?.principals.some((arn) => arn.endsWith(certificate.identity.certificateId))).toBe(true);
      }
    }
    const allIds = [...devices, ...day1, ...day2].map((device) => device.identity.certificateId);
    expect(revokedAmong(allIds)).toEqual([]);
    expect(overlap).toEqual(devices.map(() => 'ACTIVE'));
    expect(refused).toMatchObject({ code: 1, data: { error: { code: 'CA_STILL_IN_USE' } } });
    expect(retired).toMatchObject({ code: 0, data: { untrusted: true, boundThings: DEVICES } });
    expect(retired.data.successors).toEqual([renewed.certificateId]);
    expect(emulator.store.getCa(tenant.certificateId)?.status ?? 'deleted').not.toBe('ACTIVE');
    const thing = await thingState(clients, devices[0]!.identity.thingName);
    expect(thing?.attributes.jitr_ca).toBe(tenant.certificateId);
    expect(doctor.filter((finding) => finding.severity === 'error')).toEqual([]);
  }, 120_000);

  it('a factory CA re-issued without --rollover-from holds its devices pending; --rollover-from lets them onto their Things', async () => {
    const { clients } = zt.current;
    const factory = zt.current.fleets[1] as FleetCa;
    const device = await issueSimulatedDevice(factory);
    await zt.current.simulate([device], QUICK);
    const moved = await renewedBy(factory2, device);

    const held = await zt.current.simulate([moved], { ...QUICK, timeoutMs: 3_000 });
    const heldStatus = zt.current.emulator.store.getCertificate(moved.identity.certificateId)?.status;
    const findings = (await cli('doctor')).data.findings as Finding[];
    const recorded = await cli(
      'preconfigure',
      '--ca-cert',
      `${files.path}/factory-ca-2.pem`,
      '--profile',
      'generic',
      '--rollover-from',
      `${files.path}/factory-ca.pem`,
    );
    // The reconciler's next run onboards the held certificate (as would the device's next connection, once the
    // Lambda's configuration cache has refreshed).
    await reconcile(
      {},
      {
        ...onboardDeps(clients, PARAMETER),
        cursor: memoryCursorStore(),
        maxCertificates: 1_000,
        pendingAgeMs: 0,
      },
    );
    const after = await zt.current.simulate([moved], QUICK);

    expect(held.results[0]).toMatchObject({ outcome: 'failed', reason: 'STILL_PENDING' });
    // Held, neither revoked nor active: doctor names the conflict (the Lambda logs THING_BOUND_TO_TRUSTED_CA).
    expect(heldStatus).toBe('PENDING_ACTIVATION');
    expect(findings.filter((finding) => finding.code === 'BINDING_CONFLICT').map((f) => f.subject)).toEqual([
      moved.identity.certificateId,
    ]);
    expect(recorded).toMatchObject({ code: 0, data: { rolloverFrom: [factory.certificateId] } });
    expect(after.boot.online).toBe(1);
    expect((await thingState(clients, device.identity.thingName))?.principals).toHaveLength(2);
    expect(revokedAmong([device.identity.certificateId, moved.identity.certificateId])).toEqual([]);
  }, 60_000);
});
