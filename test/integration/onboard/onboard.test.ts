import {
  CreateThingGroupCommand,
  ListThingGroupsForThingCommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { iotAdapter } from '../../../functions/onboard/iot-adapter.js';
import { handleRegisteredEvent } from '../../../functions/onboard/run.js';
import { iotClientFor, ssmClientFor, withEmulator } from '../../helpers/aws.js';
import {
  autoRegister,
  crashAfter,
  deviceState,
  ensurePolicy,
  fleetEntry,
  harness,
  lambdaIotClient,
  PARAMETER,
  POLICY_NAME,
  registerFleet,
  SimulatedCrash,
  type TestFleet,
  thingOf,
  writeFleetConfig,
} from './fixture.js';

describe('onboarding Lambda against the local emulator', () => {
  const local = withEmulator({ quotas: 'off' });
  let fleet: TestFleet;
  let untrusted: TestFleet;

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    fleet = await registerFleet(iot, 'generic');
    untrusted = await registerFleet(iot, 'generic');
    await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(fleet, { tenantId: 'acme' })] });
  });

  it('onboards a new device: Thing bound to its CA, policy attached, certificate ACTIVE, one decision line', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    const { deps, lines } = harness(local.emulator);

    const result = await handleRegisteredEvent(device.event, deps);

    expect(result).toMatchObject({ decision: 'onboarded', thingName: device.thingName });
    expect(await deviceState(iot, device)).toEqual({
      status: 'ACTIVE',
      things: [device.thingName],
      policies: [POLICY_NAME],
    });
    expect((await thingOf(iot, device.thingName))?.attributes).toEqual({
      jitr_ca: fleet.caId,
      jitr_profile: 'generic/acme',
      jitr_device_id: device.deviceId,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      decision: 'onboarded',
      certificateId: device.certificateId,
      caCertificateId: fleet.caId,
    });
    expect(JSON.stringify(lines)).not.toMatch(/BEGIN CERTIFICATE|PRIVATE KEY/);
  });

  it('spends at most 6 IoT calls on a new device once the CA is cached, and 1 on a duplicate event', async () => {
    const iot = iotClientFor(local.emulator);
    const { deps } = harness(local.emulator);
    await handleRegisteredEvent((await autoRegister(iot, local.emulator, fleet)).event, deps); // warms the CA cache
    const device = await autoRegister(iot, local.emulator, fleet);

    const first = await handleRegisteredEvent(device.event, deps);
    const again = await handleRegisteredEvent(device.event, deps);

    expect(first.apiCalls).toBeLessThanOrEqual(6);
    expect(again).toMatchObject({ decision: 'duplicate', apiCalls: 1 });
  });

  it('ends with one Thing per device whatever the order of triplicated events, sequential or concurrent', async () => {
    const iot = iotClientFor(local.emulator);
    const devices = await Promise.all([1, 2, 3].map(() => autoRegister(iot, local.emulator, fleet)));
    const events = devices.flatMap((device) => [device.event, device.event, device.event]);
    const shuffled = events.map((event, i) => ({ event, key: (i * 7919) % 11 })).sort((a, b) => a.key - b.key);
    const { deps } = harness(local.emulator);

    const concurrent = await Promise.all(shuffled.slice(0, 5).map(({ event }) => handleRegisteredEvent(event, deps)));
    const sequential = [];
    for (const { event } of shuffled.slice(5)) sequential.push(await handleRegisteredEvent(event, deps));

    for (const device of devices) {
      expect(await deviceState(iot, device)).toEqual({
        status: 'ACTIVE',
        things: [device.thingName],
        policies: [POLICY_NAME],
      });
      expect((await thingOf(iot, device.thingName))?.principals).toEqual([device.certificateArn]);
    }
    expect([...concurrent, ...sequential].every((r) => r.decision === 'onboarded' || r.decision === 'duplicate')).toBe(
      true,
    );
    expect(sequential.filter((r) => r.decision === 'duplicate').every((r) => r.apiCalls === 1)).toBe(true);
  });

  it.each([1, 2, 3, 4])('finishes the job when replayed after a crash following mutation %i', async (k) => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    const crashing = harness(local.emulator, { iot: crashAfter(iotAdapter(lambdaIotClient(local.emulator)), k) });

    await expect(handleRegisteredEvent(device.event, crashing.deps)).rejects.toBeInstanceOf(SimulatedCrash);
    const afterCrash = await deviceState(iot, device);
    // Never ACTIVE before attached to its Thing and policy.
    if (afterCrash.status === 'ACTIVE')
      expect(afterCrash).toMatchObject({ things: [device.thingName], policies: [POLICY_NAME] });
    const replay = await handleRegisteredEvent(device.event, harness(local.emulator).deps);

    expect(['onboarded', 'duplicate']).toContain(replay.decision);
    expect(await deviceState(iot, device)).toEqual({
      status: 'ACTIVE',
      things: [device.thingName],
      policies: [POLICY_NAME],
    });
    expect(crashing.lines[0]).toMatchObject({
      level: 'ERROR',
      error: 'SimulatedCrash',
      certificateId: device.certificateId,
    });
  });

  it('adds a new Thing to the thing group the fleet configuration names', async () => {
    const iot = iotClientFor(local.emulator);
    const grouped = await registerFleet(iot, 'generic');
    await iot.send(new CreateThingGroupCommand({ thingGroupName: 'jitr-fleet' }));
    await writeFleetConfig(local.emulator, {
      version: 1,
      trustedCas: [fleetEntry(fleet, { tenantId: 'acme' }), fleetEntry(grouped, { thingGroupName: 'jitr-fleet' })],
    });
    const device = await autoRegister(iot, local.emulator, grouped);

    try {
      const result = await handleRegisteredEvent(device.event, harness(local.emulator).deps);
      const groups = await iot.send(new ListThingGroupsForThingCommand({ thingName: device.thingName }));

      expect(result).toMatchObject({ decision: 'onboarded', apiCalls: 8 });
      expect((groups.thingGroups ?? []).map((group) => group.groupName)).toEqual(['jitr-fleet']);
    } finally {
      await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(fleet, { tenantId: 'acme' })] });
    }
  });

  it('leaves a certificate of a CA missing from the fleet configuration untouched, with no API call', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, untrusted);
    const { deps } = harness(local.emulator);

    const result = await handleRegisteredEvent(device.event, deps);

    expect(result).toMatchObject({ decision: 'ignored', reasons: ['CA_NOT_TRUSTED'], apiCalls: 0 });
    expect(await deviceState(iot, device)).toEqual({ status: 'PENDING_ACTIVATION', things: [], policies: [] });
  });

  it('leaves the certificate pending while its CA is INACTIVE, and onboards it once the CA is active again', async () => {
    const iot = iotClientFor(local.emulator);
    const paused = await registerFleet(iot, 'generic');
    await writeFleetConfig(local.emulator, {
      version: 1,
      trustedCas: [fleetEntry(fleet, { tenantId: 'acme' }), fleetEntry(paused)],
    });
    const device = await autoRegister(iot, local.emulator, paused);
    await iot.send(new UpdateCACertificateCommand({ certificateId: paused.caId, newStatus: 'INACTIVE' }));

    const deferred = await handleRegisteredEvent(device.event, harness(local.emulator).deps);
    const pending = await deviceState(iot, device);
    await iot.send(new UpdateCACertificateCommand({ certificateId: paused.caId, newStatus: 'ACTIVE' }));
    const resumed = await handleRegisteredEvent(device.event, harness(local.emulator).deps);

    expect(deferred).toMatchObject({ decision: 'deferred', reasons: ['CA_INACTIVE'] });
    expect(pending).toEqual({ status: 'PENDING_ACTIVATION', things: [], policies: [] });
    expect(resumed.decision).toBe('onboarded');
  });

  it.each([
    ['an empty object', {}],
    [
      'a wrong certificateId',
      { certificateId: 'zz', caCertificateId: 'a'.repeat(64), certificateStatus: 'PENDING_ACTIVATION' },
    ],
    ['a string', 'not an event'],
    ['null', null],
  ])('logs and counts a malformed event (%s) and does nothing else', async (_what, input) => {
    const { deps, lines, metrics } = harness(local.emulator);

    const result = await handleRegisteredEvent(input, deps);

    expect(result).toEqual({ decision: 'malformed', reasons: ['MALFORMED_EVENT'] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ decision: 'malformed', reasons: ['MALFORMED_EVENT'], apiCalls: 0 });
    expect(metrics.at(-1)).toMatchObject({ Service: 'onboard', Reason: 'MALFORMED_EVENT', Ignored: 1 });
  });

  it('fails loudly and processes nothing when the fleet configuration is broken', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, fleet);
    const ssm = ssmClientFor(local.emulator);
    await ssm.send(
      new PutParameterCommand({
        Name: PARAMETER,
        Value: '{"version":1,"trustedCas":[{}]}',
        Type: 'String',
        Overwrite: true,
      }),
    );
    const { deps, lines } = harness(local.emulator);

    try {
      await expect(handleRegisteredEvent(device.event, deps)).rejects.toMatchObject({ code: 'FLEET_CONFIG_INVALID' });
      expect(lines[0]).toMatchObject({ level: 'ERROR', code: 'FLEET_CONFIG_INVALID' });
      expect(await deviceState(iot, device)).toEqual({ status: 'PENDING_ACTIVATION', things: [], policies: [] });
    } finally {
      await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(fleet, { tenantId: 'acme' })] });
    }
  });
});
