import { RegisterCertificateCommand } from '@aws-sdk/client-iot';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFleetCa, type FleetCa, issueFleetDevice } from '../../certs/fleet.js';
import { issueDeviceCertificate } from '../../certs/issue.js';
import { handleRegisteredEvent } from '../../functions/onboard/run.js';
import { type Pipeline, registryView, withPipeline } from './pipeline-fixture.js';

const TENANT = '5e6f7a8b-0000-4000-8000-0000000000c1';

let shared: Promise<FleetCa[]> | undefined;
/** Both registries trust the very same CAs, so the same device certificates can be registered in each. */
const sharedFleets = () => {
  shared ??= Promise.all([createFleetCa('azure-sphere', { tenantId: TENANT }), createFleetCa('microchip')]);
  return shared;
};

interface Registration {
  pem: string;
  caPem: string;
  caId: string;
}

/** Registers the certificate as JITR does (PENDING_ACTIVATION under its CA) and returns the event IoT would publish. */
async function register(pipeline: Pipeline, registration: Registration) {
  const { emulator, clients } = pipeline;
  const registered = await clients.iot.send(
    new RegisterCertificateCommand({
      certificatePem: registration.pem,
      caCertificatePem: registration.caPem,
      status: 'PENDING_ACTIVATION',
    }),
  );
  const now = Date.now();
  return {
    certificateId: registered.certificateId ?? '',
    caCertificateId: registration.caId,
    timestamp: now,
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: emulator.accountId,
    certificateRegistrationTimestamp: String(now),
  };
}

// IoT may deliver a registration event more than once and out of order, and devices retrying while pending publish it
// again. Whatever the deliveries, the registry must end exactly as it does when each event arrives once, in order.
describe('registration events delivered 1-3 times, shuffled, some at once', () => {
  const clean = withPipeline(sharedFleets);
  const chaos = withPipeline(sharedFleets);

  async function batchOfDevices(): Promise<Registration[]> {
    const [sphere, chip] = await sharedFleets();
    if (!sphere || !chip) throw new Error('no fleets');
    const of = (fleet: FleetCa, pem: string) => ({
      pem,
      caPem: fleet.certificatePem,
      caId: fleet.certificateId,
    });
    const devices = await Promise.all([
      issueFleetDevice(sphere),
      issueFleetDevice(sphere),
      issueFleetDevice(chip),
      issueFleetDevice(chip),
    ]);
    // One the workflow rejects (its CN is no Azure Sphere device id): it must end REVOKED in both registries.
    const bad = await issueDeviceCertificate(sphere, {
      subject: { commonName: 'not-a-device-id' },
    });
    return [
      ...devices.map((device, i) => of(i < 2 ? sphere : chip, device.certificatePem)),
      of(sphere, bad.certificatePem),
    ];
  }

  it('ends with the registry a clean, once-each run produces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), {
          minLength: 5,
          maxLength: 5,
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: 15,
          maxLength: 15,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (copies, order, parallel) => {
          const registrations = await batchOfDevices();
          const cleanEvents = [];
          const chaosEvents = [];
          for (const registration of registrations) {
            cleanEvents.push(await register(clean.current, registration));
            chaosEvents.push(await register(chaos.current, registration));
          }
          for (const event of cleanEvents) await handleRegisteredEvent(event, clean.current.deps().deps);

          const deliveries = chaosEvents.flatMap((event, i) => Array.from({ length: copies[i] ?? 1 }, () => event));
          const shuffled = deliveries
            .map((event, i) => ({ event, key: order[i] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map(({ event }) => event);
          const { deps } = chaos.current.deps();
          for (let start = 0; start < shuffled.length; start += parallel) {
            await Promise.all(
              shuffled.slice(start, start + parallel).map((event) => handleRegisteredEvent(event, deps)),
            );
          }

          const ids = cleanEvents.map((event) => event.certificateId);
          const expected = registryView(clean.current.emulator, ids);
          expect(registryView(chaos.current.emulator, ids)).toEqual(expected);
          const statuses = Object.values(expected.certificates).map((c) => (c as { status: string }).status);
          expect(statuses.sort()).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'REVOKED']);
        },
      ),
      { numRuns: 4, seed: 7 },
    );
  }, 120_000);
});
