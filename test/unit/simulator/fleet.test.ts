import { describe, expect, it } from 'vitest';
import { simulateFleet } from '../../../scripts/simulator/fleet.js';
import type { AttemptOutcome, DeviceIdentity, SimulatedDevice } from '../../../scripts/simulator/model.js';

// The orchestration with an injected attempt (no sockets): the JITR drop is simulated by the fake registry below.
function identity(name: string, generation = 0): DeviceIdentity {
  return {
    deviceId: name,
    thingName: name,
    certificatePem: '',
    privateKeyPem: '',
    certificateId: `${name}-${generation}`.padEnd(64, '0'),
  };
}

function device(name: string, label?: string): SimulatedDevice {
  let generation = 0;
  return {
    identity: identity(name),
    reissue: async () => identity(name, ++generation),
    ...(label !== undefined ? { label } : {}),
  };
}

/** Every certificate is dropped on first contact, then online; those named `bad-*` are revoked instead. */
function fakeGateway() {
  const seen = new Map<string, number>();
  let open = 0;
  let maxOpen = 0;
  const closed: string[] = [];
  const attempt = async (_: SimulatedDevice, id: DeviceIdentity): Promise<AttemptOutcome> => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    await new Promise((resolve) => setTimeout(resolve, 1));
    open--;
    const count = (seen.get(id.certificateId) ?? 0) + 1;
    seen.set(id.certificateId, count);
    if (id.deviceId.startsWith('bad-') || count === 1) return { kind: 'dropped', detail: 'closed without CONNACK' };
    return { kind: 'online', close: async () => void closed.push(id.certificateId), onLost: () => {} };
  };
  const certificateState = async (certificateId: string) =>
    certificateId.startsWith('bad-') ? ('REVOKED' as const) : ('PENDING_ACTIVATION' as const);
  return { attempt, certificateState, seen, closed, maxOpen: () => maxOpen };
}

describe('simulateFleet', () => {
  it('brings good devices online, rejects revoked ones, and summarises the boot', async () => {
    const gateway = fakeGateway();
    const devices = [device('a'), device('b'), device('c'), device('bad-1', 'revoked on purpose')];
    const progress: number[] = [];
    const report = await simulateFleet({
      devices,
      target: { url: 'mqtts://localhost:1' },
      attempt: gateway.attempt,
      certificateState: gateway.certificateState,
      backoff: { baseMs: 5, capMs: 10 },
      onProgress: (p) => progress.push(p.online + p.rejected + p.failed),
    });
    expect(report.boot).toMatchObject({ devices: 4, online: 3, rejected: 1, failed: 0 });
    // Three good devices needed two attempts each; the bad one made rejectAfter (3) attempts.
    expect(report.boot.reconnects).toBe(3 + 2);
    expect(report.boot.timeToOnlineMs?.max).toBeGreaterThanOrEqual(report.boot.timeToOnlineMs?.p50 ?? 0);
    const bad = report.results.find((r) => r.deviceId === 'bad-1');
    expect(bad).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED', label: 'revoked on purpose' });
    expect(progress.at(-1)).toBe(4);
    // Every session is closed at the end, and the timeline goes back to zero.
    expect(gateway.closed).toHaveLength(3);
    expect(report.changes.reduce((sum, change) => sum + change.delta, 0)).toBe(0);
  });

  it('with rotate, reconnects every online device with a renewed certificate for the same thing', async () => {
    const gateway = fakeGateway();
    const report = await simulateFleet({
      devices: [device('a'), device('b')],
      target: { url: 'mqtts://localhost:1' },
      attempt: gateway.attempt,
      backoff: { baseMs: 5, capMs: 10 },
      rotate: true,
    });
    expect(report.rotation).toMatchObject({ devices: 2, online: 2, rejected: 0, failed: 0 });
    const rotated = report.results.filter((r) => r.phase === 'rotate');
    expect(rotated.map((r) => r.thingName).sort()).toEqual(['a', 'b']);
    expect(rotated.every((r) => r.certificateId.startsWith(`${r.thingName}-1`))).toBe(true);
  });

  it('never has more attempts in flight than the concurrency allows', async () => {
    const gateway = fakeGateway();
    await simulateFleet({
      devices: Array.from({ length: 12 }, (_, i) => device(`d${i}`)),
      target: { url: 'mqtts://localhost:1' },
      attempt: gateway.attempt,
      backoff: { baseMs: 1, capMs: 2 },
      concurrency: 3,
    });
    expect(gateway.maxOpen()).toBeLessThanOrEqual(3);
    expect(gateway.maxOpen()).toBeGreaterThan(0);
  });

  it('counts a device whose certificate cannot be renewed as failed in the rotation', async () => {
    const gateway = fakeGateway();
    const fragile: SimulatedDevice = {
      identity: identity('x'),
      reissue: async () => {
        throw new Error('CA key gone');
      },
    };
    const report = await simulateFleet({
      devices: [fragile],
      target: { url: 'mqtts://localhost:1' },
      attempt: gateway.attempt,
      backoff: { baseMs: 1, capMs: 2 },
      rotate: true,
    });
    expect(report.rotation).toMatchObject({ devices: 1, online: 0, failed: 1 });
    expect(report.results.find((r) => r.phase === 'rotate')?.reason).toBe('REISSUE_FAILED');
  });
});
