import { describe, expect, it } from 'vitest';
import { createFleetCa, issueFleetDevice } from '../../../certs/fleet.js';
import { bringOnline, refusalHint, rejection } from '../../../scripts/simulator/device.js';
import type { AttemptOutcome, CertificateState, DeviceIdentity } from '../../../scripts/simulator/model.js';

/** A fake clock: sleeping advances time, nothing waits. */
function clock(start = 1_000_000) {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

const identity: DeviceIdentity = {
  deviceId: 'dev-1',
  thingName: 'dev-1',
  certificatePem: 'not a certificate',
  privateKeyPem: '',
  certificateId: 'a'.repeat(64),
};

const online = (): AttemptOutcome => ({ kind: 'online', close: async () => {}, onLost: () => {} });
const dropped = (): AttemptOutcome => ({ kind: 'dropped', detail: 'closed without CONNACK' });

/** Attempts that answer from a script, then repeat the last answer. */
function scripted(outcomes: (() => AttemptOutcome)[]) {
  let calls = 0;
  return {
    attempt: async () => (outcomes[Math.min(calls++, outcomes.length - 1)] as () => AttemptOutcome)(),
    calls: () => calls,
  };
}

describe('bringOnline', () => {
  it('treats the JITR drop as expected and comes online on a later attempt', async () => {
    const time = clock();
    const device = scripted([dropped, dropped, online]);
    const result = await bringOnline(
      identity,
      { ...device, ...time, random: () => 0.5 },
      { deadline: time.now() + 60_000 },
    );
    expect(result.outcome).toBe('online');
    expect(result.attempts).toBe(3);
    // Full jitter at 0.5 of a doubling ceiling (500 ms, 1 s).
    expect(time.slept).toEqual([250, 500]);
    if (result.outcome === 'online') expect(result.onlineAt - result.startedAt).toBe(750);
  });

  it('rejects a device whose certificate the registry holds REVOKED, once it has tried rejectAfter times', async () => {
    const time = clock();
    const device = scripted([dropped]);
    const asked: string[] = [];
    const certificateState = async (id: string): Promise<CertificateState> => {
      asked.push(id);
      return 'REVOKED';
    };
    const result = await bringOnline(
      identity,
      { ...device, ...time, certificateState, random: () => 0 },
      { deadline: time.now() + 60_000, rejectAfter: 3 },
    );
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'CERTIFICATE_REVOKED', attempts: 3 });
    expect(asked).toEqual([identity.certificateId]);
  });

  it('keeps trying while the certificate is pending and fails at the deadline with STILL_PENDING', async () => {
    const time = clock();
    const device = scripted([dropped]);
    const result = await bringOnline(
      identity,
      { ...device, ...time, certificateState: async () => 'PENDING_ACTIVATION', random: () => 0.999 },
      { deadline: time.now() + 10_000 },
    );
    expect(result).toMatchObject({ outcome: 'failed', reason: 'STILL_PENDING' });
    expect(time.now()).toBeLessThan(1_000_000 + 10_000);
    expect(device.calls()).toBeGreaterThan(3);
  });

  it('reports an ACTIVE certificate that is never let in as CONNECT_REFUSED, and a refused publish as PUBLISH_REFUSED', async () => {
    const time = clock();
    const refusedConnect = await bringOnline(
      identity,
      { ...scripted([dropped]), ...time, certificateState: async () => 'ACTIVE' },
      { deadline: time.now() + 5_000 },
    );
    expect(refusedConnect).toMatchObject({ outcome: 'failed', reason: 'CONNECT_REFUSED' });
    const refusedPublish = await bringOnline(
      identity,
      { ...scripted([() => ({ kind: 'publish-refused', detail: 'closed before PUBACK' })]), ...time },
      { deadline: time.now() + 5_000 },
    );
    expect(refusedPublish).toMatchObject({ outcome: 'failed', reason: 'PUBLISH_REFUSED' });
  });

  it('without a registry to ask, never rejects: it fails with TIMEOUT', async () => {
    const time = clock();
    const result = await bringOnline(identity, { ...scripted([dropped]), ...time }, { deadline: time.now() + 3_000 });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'TIMEOUT' });
  });
});

describe('rejection rule', () => {
  const checkDate = Date.parse('2026-06-01T00:00:00Z');

  it('rejects REVOKED and never-registered certificates, and nothing else', () => {
    const states: CertificateState[] = ['ACTIVE', 'PENDING_ACTIVATION', 'INACTIVE', 'UNKNOWN'];
    for (const state of states) expect(rejection(state, identity, checkDate)).toBeUndefined();
    expect(rejection('REVOKED', identity, checkDate)).toBe('CERTIFICATE_REVOKED');
    expect(rejection('NOT_FOUND', identity, checkDate)).toBe('NOT_REGISTERED');
  });

  it('says why a never-registered certificate was refused when the device can tell: expired or not yet valid', async () => {
    const ca = await createFleetCa('generic', { notBefore: new Date('2026-01-01T00:00:00Z'), days: 3650 });
    const expired = await issueFleetDevice(ca, { notBefore: new Date('2026-05-01T00:00:00Z'), days: 2 });
    const future = await issueFleetDevice(ca, { notBefore: new Date('2026-07-01T00:00:00Z'), days: 2 });
    const current = await issueFleetDevice(ca, { notBefore: new Date('2026-05-31T00:00:00Z'), days: 2 });
    expect(refusalHint(expired.certificatePem, checkDate)).toBe('CERTIFICATE_EXPIRED');
    expect(refusalHint(future.certificatePem, checkDate)).toBe('CERTIFICATE_NOT_YET_VALID');
    expect(refusalHint(current.certificatePem, checkDate)).toBe('NOT_REGISTERED');
  });
});
