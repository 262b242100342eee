import { readFileSync } from 'node:fs';
import { type IoTClient, RegisterCACertificateCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetCa } from '../../../certs/fleet.js';
import { iotAdapter } from '../../../functions/onboard/iot-adapter.js';
import type { IotPort } from '../../../functions/onboard/port.js';
import { handleRegisteredEvent } from '../../../functions/onboard/run.js';
import type { LocalEmulator } from '../../../local/server.js';
import { iotClientFor, withEmulator } from '../../helpers/aws.js';
import { scratchDir } from '../../helpers/openssl.js';
import { DEVICE_EXTENSIONS, type OpensslCertificate, OpensslPathFactory } from '../../helpers/openssl-paths.js';
import { makeRfc5280Cases, type Rfc5280Cases } from '../../helpers/rfc5280-cases.js';
import {
  deviceState,
  ensurePolicy,
  fleetEntry,
  harness,
  lambdaIotClient,
  registerPending,
  type TestFleet,
  thingOf,
  writeFleetConfig,
} from './fixture.js';

// Issue 12's five certificates (made by openssl) reach the onboarding Lambda over the emulator: each ends REVOKED,
// with no Thing and no policy, and the decision carries its reason code.
const scratch = scratchDir('jitr-onboard-rfc5280-');
afterAll(() => scratch.cleanup());
const make = new OpensslPathFactory(scratch);

async function registerCa(iot: IoTClient, ca: OpensslCertificate): Promise<TestFleet> {
  const certificatePem = readFileSync(ca.path, 'utf8');
  const registered = await iot.send(
    new RegisterCACertificateCommand({
      caCertificate: certificatePem,
      certificateMode: 'SNI_ONLY',
      setAsActive: true,
      allowAutoRegistration: true,
    }),
  );
  const fleetCa: FleetCa = {
    certificatePem,
    privateKeyPem: readFileSync(ca.key, 'utf8'),
    certificateId: registered.certificateId!,
    profile: 'generic',
  };
  return { ca: fleetCa, caId: registered.certificateId! };
}

/**
 * AWS IoT never registers a certificate signed with MD5 or SHA-1, and neither does the emulator
 * (test/conformance/certificate-signatures.test.ts), so the Lambda cannot meet one through the emulator alone. To
 * prove its own check, the device's SHA-256 twin is registered and DescribeCertificate answers with the weak
 * certificate instead: a stub for the one thing the emulator cannot produce.
 */
function describingAs(emulator: LocalEmulator, certificateId: string, pem: string): IotPort {
  const port = iotAdapter(lambdaIotClient(emulator));
  return {
    ...port,
    describeCertificate: async (id) => {
      const facts = await port.describeCertificate(id);
      return facts && id === certificateId ? { ...facts, certificatePem: pem } : facts;
    },
  };
}

describe('onboarding Lambda: RFC 5280 path validation, end to end on the emulator', () => {
  const local = withEmulator({ quotas: 'off' });
  let made: Rfc5280Cases;
  const fleets = new Map<OpensslCertificate, TestFleet>();

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    made = makeRfc5280Cases(make);
    for (const ca of [made.ecCa, made.rsaCa]) fleets.set(ca, await registerCa(iot, ca));
    await writeFleetConfig(local.emulator, {
      version: 1,
      trustedCas: [...fleets.values()].map((fleet) => fleetEntry(fleet)),
    });
  });

  it('refuses each of the five cases with its code: REVOKED, no Thing, no policy', async () => {
    const iot = iotClientFor(local.emulator);
    for (const testCase of made.cases) {
      const fleet = fleets.get(testCase.ca)!;
      const identity = { deviceId: testCase.deviceId, thingName: testCase.deviceId };
      let registered;
      let deps;
      if (testCase.code === 'WEAK_SIGNATURE') {
        const twin = make.certificate(`${testCase.deviceId}-twin`, {
          subject: `/O=Acme/CN=${testCase.deviceId}`,
          key: make.key(`${testCase.deviceId}-twin`),
          issuer: testCase.ca,
          extensions: DEVICE_EXTENSIONS,
        });
        registered = await registerPending(iot, local.emulator, fleet, readFileSync(twin.path, 'utf8'), identity);
        deps = harness(local.emulator, { iot: describingAs(local.emulator, registered.certificateId, testCase.pem()) });
      } else {
        registered = await registerPending(iot, local.emulator, fleet, testCase.pem(), identity);
        deps = harness(local.emulator);
      }

      const result = await handleRegisteredEvent(registered.event, deps.deps);

      expect({ name: testCase.name, decision: result.decision, reasons: result.reasons }).toEqual({
        name: testCase.name,
        decision: 'rejected',
        reasons: expect.arrayContaining([testCase.code]),
      });
      expect(await deviceState(iot, registered)).toEqual({ status: 'REVOKED', things: [], policies: [] });
      expect(await thingOf(iot, testCase.deviceId)).toBeUndefined();
      expect(deps.lines[0]).toMatchObject({ decision: 'rejected', reasons: expect.arrayContaining([testCase.code]) });
      expect(deps.metrics[0]).toMatchObject({ Rejected: 1 });
    }
  });

  it('onboards a device of the same name-constrained CA that meets every rule', async () => {
    const iot = iotClientFor(local.emulator);
    const good = make.certificate('good-device', {
      subject: '/O=Acme/CN=good-device',
      key: make.key('good-device'),
      issuer: made.ecCa,
      extensions: DEVICE_EXTENSIONS,
    });
    const registered = await registerPending(
      iot,
      local.emulator,
      fleets.get(made.ecCa)!,
      readFileSync(good.path, 'utf8'),
      {
        deviceId: 'good-device',
        thingName: 'good-device',
      },
    );

    const result = await handleRegisteredEvent(registered.event, harness(local.emulator).deps);

    expect(result.decision).toBe('onboarded');
    expect((await deviceState(iot, registered)).status).toBe('ACTIVE');
  });
});
