import { RegisterCertificateWithoutCACommand } from '@aws-sdk/client-iot';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFleetCa, issueFleetDevice } from '../../../certs/fleet.js';
import { issueDeviceCertificate } from '../../../certs/issue.js';
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
  registerPending,
  type TestFleet,
  thingOf,
  writeFleetConfig,
} from './fixture.js';

const DAY = 86_400_000;

describe('onboarding Lambda: attacks and rejections', () => {
  const local = withEmulator({ quotas: 'off' });
  let acme: TestFleet;
  let globex: TestFleet;
  let sphere: TestFleet;

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    acme = await registerFleet(iot, 'generic');
    globex = await registerFleet(iot, 'generic');
    sphere = await registerFleet(iot, 'azure-sphere');
    await writeFleetConfig(local.emulator, {
      version: 1,
      trustedCas: [
        fleetEntry(acme, { tenantId: 'acme', deny: { deviceIds: ['stolen-7'] } }),
        fleetEntry(globex, { tenantId: 'globex' }),
        // The tenant the configuration expects is not the one this CA issues for.
        fleetEntry(sphere, { tenantId: '00000000-0000-4000-8000-000000000000' }),
      ],
    });
  });

  it('revokes a certificate of another CA claiming an onboarded device, logs a security event, never attaches', async () => {
    const iot = iotClientFor(local.emulator);
    const owner = await autoRegister(iot, local.emulator, acme, { deviceId: 'meter-42' });
    await handleRegisteredEvent(owner.event, harness(local.emulator).deps);
    const intruder = await autoRegister(iot, local.emulator, globex, { deviceId: 'meter-42' });
    const { deps, lines, metrics } = harness(local.emulator);

    const result = await handleRegisteredEvent(intruder.event, deps);

    expect(result).toMatchObject({ decision: 'rejected', reasons: ['THING_BOUND_TO_OTHER_CA'] });
    expect(await deviceState(iot, intruder)).toEqual({ status: 'REVOKED', things: [], policies: [] });
    expect((await thingOf(iot, 'meter-42'))?.principals).toEqual([owner.certificateArn]);
    expect(await deviceState(iot, owner)).toMatchObject({ status: 'ACTIVE' });
    expect(lines[0]).toMatchObject({ level: 'WARN', security: true, decision: 'rejected' });
    expect(metrics[0]).toMatchObject({ SecurityEvent: 1, Rejected: 1 });
  });

  it('lets exactly one of two CAs racing for the same new device win, and revokes the other', async () => {
    const iot = iotClientFor(local.emulator);
    const [a, b] = await Promise.all([
      autoRegister(iot, local.emulator, acme, { deviceId: 'meter-77' }),
      autoRegister(iot, local.emulator, globex, { deviceId: 'meter-77' }),
    ]);

    const results = await Promise.all([a, b].map((d) => handleRegisteredEvent(d!.event, harness(local.emulator).deps)));

    const states = await Promise.all([a, b].map((d) => deviceState(iot, d!)));
    expect(results.map((r) => r.decision).sort()).toEqual(['onboarded', 'rejected']);
    expect(states.map((state) => state.status).sort()).toEqual(['ACTIVE', 'REVOKED']);
    // The loser attached its policy concurrently with CreateThing: it is detached again, and no Thing was ever attached.
    expect(states.find((state) => state.status === 'REVOKED')).toEqual({ status: 'REVOKED', things: [], policies: [] });
    const winner = [a, b][states.findIndex((state) => state.status === 'ACTIVE')]!;
    expect((await thingOf(iot, 'meter-77'))?.principals).toEqual([winner.certificateArn]);
  });

  it('revokes a certificate that does not chain to the CA its event names (ISSUER_MISMATCH)', async () => {
    const iot = iotClientFor(local.emulator);
    const rogue = await createFleetCa('generic');
    const device = await issueFleetDevice(rogue, { deviceId: 'meter-43' });
    const registered = await iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem: device.certificatePem, status: 'PENDING_ACTIVATION' }),
    );
    const event = {
      certificateId: registered.certificateId,
      caCertificateId: acme.caId,
      certificateStatus: 'PENDING_ACTIVATION',
    };

    const result = await handleRegisteredEvent(event, harness(local.emulator).deps);

    expect(result).toMatchObject({ decision: 'rejected', reasons: ['ISSUER_MISMATCH'] });
    expect(await thingOf(iot, 'meter-43')).toBeUndefined();
  });

  it('leaves alone a certificate that is no longer pending, even with an event naming a trusted CA', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await issueFleetDevice(acme.ca, { deviceId: 'meter-44' });
    const registered = await iot.send(
      new RegisterCertificateWithoutCACommand({ certificatePem: device.certificatePem, status: 'INACTIVE' }),
    );
    const event = {
      certificateId: registered.certificateId,
      caCertificateId: acme.caId,
      certificateStatus: 'PENDING_ACTIVATION',
    };

    const result = await handleRegisteredEvent(event, harness(local.emulator).deps);

    expect(result).toMatchObject({ decision: 'ignored', reasons: ['CERTIFICATE_INACTIVE'] });
  });

  type Case = [string, string, () => Promise<{ pem: string; deviceId: string }>, number?];
  const cases: Case[] = [
    ['EXPIRED', 'a certificate past notAfter at the decision time', async () => cert({ days: 1 }), 3 * DAY],
    ['NOT_YET_VALID', 'a certificate before notBefore at the decision time', async () => cert({ days: 1 }), -DAY],
    ['WEAK_KEY', 'a secp256k1 key', async () => cert({ keyAlgorithm: 'secp256k1' })],
    ['EKU_NOT_CLIENT_AUTH', 'a server-auth-only certificate', async () => cert({ extendedKeyUsage: 'serverAuth' })],
    ['CA_CERTIFICATE_AS_DEVICE', 'a CA certificate', async () => cert({ isCa: true })],
    ['DEVICE_ID_INVALID', 'a device id that makes no thing name', async () => cert({ commonName: 'bad id!' })],
    ['DENIED', 'a device on the deny list', async () => cert({ commonName: 'stolen-7' })],
  ];

  async function cert(options: Record<string, unknown> & { commonName?: string }) {
    const commonName = options.commonName ?? `meter-${Math.random().toString(36).slice(2, 8)}`;
    const issued = await issueDeviceCertificate(acme.ca, { subject: { commonName }, ...options });
    return { pem: issued.certificatePem, deviceId: commonName };
  }

  it.each(cases)('revokes with reason %s: %s', async (code, _what, make, shift = 0) => {
    const iot = iotClientFor(local.emulator);
    const { pem, deviceId } = await make();
    const device = await registerPending(iot, local.emulator, acme, pem, { deviceId, thingName: deviceId });
    const { deps, lines, metrics } = harness(local.emulator, { now: () => Date.now() + shift });

    const result = await handleRegisteredEvent(device.event, deps);

    expect(result.decision).toBe('rejected');
    expect(result.reasons).toContain(code);
    expect(await deviceState(iot, device)).toEqual({ status: 'REVOKED', things: [], policies: [] });
    expect(lines[0]).toMatchObject({ decision: 'rejected', reasons: result.reasons });
    expect(metrics[0]).toMatchObject({ Rejected: 1 });
  });

  it('revokes an Azure Sphere certificate whose tenant is not the one the configuration expects', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, sphere);

    const result = await handleRegisteredEvent(device.event, harness(local.emulator).deps);

    expect(result).toMatchObject({ decision: 'rejected', reasons: ['TENANT_MISMATCH'] });
    expect(await deviceState(iot, device)).toMatchObject({ status: 'REVOKED', things: [] });
    expect(await thingOf(iot, device.thingName)).toBeUndefined();
  });

  it('still onboards a good device of the same CA next to the rejected ones', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, acme);

    const result = await handleRegisteredEvent(device.event, harness(local.emulator).deps);

    expect(result.decision).toBe('onboarded');
    expect(await deviceState(iot, device)).toEqual({
      status: 'ACTIVE',
      things: [device.thingName],
      policies: [POLICY_NAME],
    });
  });
});
