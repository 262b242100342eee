import { RegisterCertificateCommand } from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { issueFleetDevice } from '../../certs/fleet.js';
import { handleRegisteredEvent } from '../../functions/onboard/run.js';
import { SettledCertificates, settledKey } from '../../functions/onboard/settled.js';
import { deprovision } from '../../scripts/operator/deprovision.js';
import { withPipeline } from './pipeline-fixture.js';

// A boot storm queues several registration events per device; once a container has seen the certificate ACTIVE, the
// rest must not spend the DescribeCertificate quota new devices need (measured in docs/benchmarks.md, "Boot storm").
describe('duplicate registration events in a warm container', () => {
  const pipeline = withPipeline([
    {
      profile: 'azure-sphere',
      tenantId: '4f4f4f4f-0000-4000-8000-00000000000f',
    },
  ]);

  async function pendingEvent(certificatePem?: string) {
    const { clients, fleets, emulator } = pipeline.current;
    const fleet = fleets[0];
    if (!fleet) throw new Error('no fleet');
    const device = certificatePem ? { certificatePem } : await issueFleetDevice(fleet);
    const registered = await clients.iot.send(
      new RegisterCertificateCommand({
        certificatePem: device.certificatePem,
        caCertificatePem: fleet.certificatePem,
        status: 'PENDING_ACTIVATION',
      }),
    );
    return {
      certificateId: registered.certificateId ?? '',
      caCertificateId: fleet.certificateId,
      timestamp: Date.now(),
      certificateStatus: 'PENDING_ACTIVATION',
      awsAccountId: emulator.accountId,
      // As the gateway publishes it: the registration time of this certificate record.
      certificateRegistrationTimestamp: String(
        emulator.store.getCertificate(registered.certificateId ?? '')?.creationDate,
      ),
      certificatePem: device.certificatePem,
    };
  }
  /** IoT calls served so far (the fleet configuration's SSM reads aside). */
  const servedCalls = () =>
    Object.entries(pipeline.current.emulator.apiCalls.snapshot().served)
      .filter(([operation]) => operation !== 'GetParameter')
      .reduce((sum, [, n]) => sum + n, 0);

  it('answers duplicates of a certificate it activated with no API call', async () => {
    const event = await pendingEvent();
    const container = {
      ...pipeline.current.deps().deps,
      settled: new SettledCertificates(60_000),
    };
    const first = await handleRegisteredEvent(event, container);
    const before = servedCalls();

    const duplicates = await Promise.all([1, 2, 3, 4, 5].map(() => handleRegisteredEvent(event, container)));

    expect(first.decision).toBe('onboarded');
    expect(duplicates.map((d) => d.decision)).toEqual(Array.from({ length: 5 }, () => 'duplicate'));
    expect(servedCalls() - before).toBe(0);
  });

  it('asks IoT once in another container, then remembers', async () => {
    const event = await pendingEvent();
    await handleRegisteredEvent(event, {
      ...pipeline.current.deps().deps,
      settled: new SettledCertificates(60_000),
    });
    const other = {
      ...pipeline.current.deps().deps,
      settled: new SettledCertificates(60_000),
    };
    const before = servedCalls();

    await handleRegisteredEvent(event, other);
    const afterFirst = servedCalls();
    await handleRegisteredEvent(event, other);

    expect(afterFirst - before).toBe(1);
    expect(servedCalls() - afterFirst).toBe(0);
  });

  it('never answers a certificate it has not seen ACTIVE from memory: a rejected one is read again', async () => {
    const settled = new SettledCertificates(60_000);
    const event = await pendingEvent();
    const container = { ...pipeline.current.deps().deps, settled };

    await handleRegisteredEvent({ ...event, caCertificateId: 'f'.repeat(64) }, container);
    const result = await handleRegisteredEvent(event, container);

    expect(
      settled.has(
        settledKey({
          ...event,
          certificateRegistrationTimestamp: Number(event.certificateRegistrationTimestamp),
        }),
      ),
    ).toBe(true);
    expect(result.decision).toBe('onboarded');
  });

  it('onboards a certificate again when it was deleted and registered anew, even in a warm container', async () => {
    const { clients } = pipeline.current;
    const container = {
      ...pipeline.current.deps().deps,
      settled: new SettledCertificates(60_000),
    };
    const first = await pendingEvent();
    const onboarded = await handleRegisteredEvent(first, container);
    await deprovision(clients, { thingName: onboarded.thingName ?? '' });

    const again = await pendingEvent(first.certificatePem);
    const result = await handleRegisteredEvent(again, container);

    expect(onboarded.decision).toBe('onboarded');
    expect(again.certificateId).toBe(first.certificateId);
    expect(again.certificateRegistrationTimestamp).not.toBe(first.certificateRegistrationTimestamp);
    expect(result.decision).toBe('onboarded');
  });

  it('forgets after its time to live', () => {
    let now = 0;
    const settled = new SettledCertificates(1000, 2, () => now);
    settled.add('a');
    settled.add('b');
    settled.add('c');

    const evictedOldest = settled.has('a');
    now = 1001;

    expect(evictedOldest).toBe(false);
    expect(settled.has('c')).toBe(false);
  });
});
