import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomAzureSphereDeviceId } from '../../../certs/fleet.js';
import { handleRegisteredEvent } from '../../../functions/onboard/run.js';
import { memoryCursorStore } from '../../../functions/reconcile/cursor.js';
import { type ReconcileDeps, reconcile } from '../../../functions/reconcile/run.js';
import { iotClientFor, withEmulator } from '../../helpers/aws.js';
import {
  autoRegister,
  deviceState,
  ensurePolicy,
  fleetEntry,
  harness,
  POLICY_NAME,
  registerFleet,
  type TestFleet,
  thingOf,
  writeFleetConfig,
} from './fixture.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('reconcile Lambda against the local emulator', () => {
  const local = withEmulator({ quotas: 'off' });
  let generic: TestFleet;
  let sphere: TestFleet;

  beforeAll(async () => {
    const iot = iotClientFor(local.emulator);
    await ensurePolicy(iot);
    generic = await registerFleet(iot, 'generic');
    sphere = await registerFleet(iot, 'azure-sphere');
    await writeFleetConfig(local.emulator, { version: 1, trustedCas: [fleetEntry(generic), fleetEntry(sphere)] });
  });

  function reconcileDeps(options: { now?: () => number; maxCertificates?: number } = {}) {
    const { deps, lines } = harness(local.emulator, {
      service: 'reconcile',
      ...(options.now ? { now: options.now } : {}),
    });
    const full: ReconcileDeps = {
      ...deps,
      cursor: memoryCursorStore(),
      maxCertificates: options.maxCertificates ?? 500,
      pendingAgeMs: 2 * MINUTE,
    };
    return { deps: full, lines };
  }

  it('onboards pending certificates whose event was lost once they are older than 2 minutes, not before', async () => {
    const iot = iotClientFor(local.emulator);
    const lost = await autoRegister(iot, local.emulator, generic);

    const early = await reconcile({}, reconcileDeps().deps);
    const stateEarly = await deviceState(iot, lost);
    const { deps, lines } = reconcileDeps({ now: () => Date.now() + 3 * MINUTE });
    const late = await reconcile({}, deps);

    expect(early.onboarded).toBe(0);
    expect(stateEarly.status).toBe('PENDING_ACTIVATION');
    expect(late.onboarded).toBeGreaterThanOrEqual(1);
    expect(late.pageToken).toBeUndefined();
    expect(await deviceState(iot, lost)).toEqual({
      status: 'ACTIVE',
      things: [lost.thingName],
      policies: [POLICY_NAME],
    });
    expect(
      lines.some(
        (l) => l.service === 'reconcile' && l.certificateId === lost.certificateId && l.decision === 'onboarded',
      ),
    ).toBe(true);
  });

  it('works in bounded runs that resume from the page token until the sweep completes', async () => {
    const iot = iotClientFor(local.emulator);
    const devices = await Promise.all([1, 2, 3, 4, 5].map(() => autoRegister(iot, local.emulator, generic)));
    const { deps } = reconcileDeps({ now: () => Date.now() + 3 * MINUTE, maxCertificates: 2 });

    const runs = [];
    let token: string | undefined;
    do {
      const result = await reconcile(token ? { pageToken: token } : {}, deps);
      runs.push(result);
      token = result.pageToken;
    } while (token && runs.length < 20);

    expect(runs.length).toBeGreaterThan(2);
    expect(runs.every((run) => run.examined <= 2)).toBe(true);
    expect(token).toBeUndefined();
    for (const device of devices) expect((await deviceState(iot, device)).status).toBe('ACTIVE');
  });

  it('completes an ACTIVE certificate someone activated without its Thing (the event path sees a duplicate)', async () => {
    const iot = iotClientFor(local.emulator);
    const device = await autoRegister(iot, local.emulator, generic);
    await iot.send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'ACTIVE' }));

    const event = await handleRegisteredEvent(device.event, harness(local.emulator).deps);
    const result = await reconcile({}, reconcileDeps().deps);

    expect(event).toMatchObject({ decision: 'duplicate', apiCalls: 1 });
    expect(result.completed).toBeGreaterThanOrEqual(1);
    expect(await deviceState(iot, device)).toEqual({
      status: 'ACTIVE',
      things: [device.thingName],
      policies: [POLICY_NAME],
    });
  });

  it('retires the superseded certificates of a device that stopped rotating, once past the grace window', async () => {
    const iot = iotClientFor(local.emulator);
    const deviceId = randomAzureSphereDeviceId();
    const register = (hoursAgo: number) =>
      autoRegister(iot, local.emulator, sphere, {
        deviceId,
        days: 4,
        notBefore: new Date(Date.now() - hoursAgo * HOUR),
      });
    const old = await register(20);
    const current = await register(1);
    for (const device of [old, current]) await handleRegisteredEvent(device.event, harness(local.emulator).deps);

    const result = await reconcile({}, reconcileDeps({ now: () => Date.now() + 50 * HOUR }).deps);

    expect(result.retired).toBeGreaterThanOrEqual(1);
    expect((await thingOf(iot, current.thingName))?.principals).toEqual([current.certificateArn]);
    expect(await deviceState(iot, current)).toMatchObject({ status: 'ACTIVE' });
  });
});
