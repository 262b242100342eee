import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CertificateFacts } from '../../../../functions/onboard/model.js';
import { planRetirement, planRotation, type RotationPolicy } from '../../../../functions/onboard/rotation.js';

const CA = 'a'.repeat(64);
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;

function cert(id: string, notBeforeHoursAgo: number, overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  const certificateId = id.padEnd(64, '0');
  return {
    certificateId,
    certificateArn: `arn:aws:iot:us-east-1:000000000000:cert/${certificateId}`,
    status: 'ACTIVE',
    caCertificateId: CA,
    certificatePem: '',
    notBefore: NOW - notBeforeHoursAgo * HOUR,
    notAfter: NOW - notBeforeHoursAgo * HOUR + 72 * HOUR,
    registeredAt: NOW - notBeforeHoursAgo * HOUR,
    ...overrides,
  };
}

const policy: RotationPolicy = { graceHours: 48, maxCertificatesPerThing: 4, sameOwner: (ca) => ca === CA, now: NOW };
const ids = (certificates: CertificateFacts[]) => certificates.map((c) => c.certificateId.slice(0, 2));

describe('planRotation', () => {
  it('keeps the previous certificates while their successor is younger than the grace window', () => {
    const plan = planRotation(cert('n1', 0), [cert('o1', 24), cert('o2', 47)], policy);

    expect(plan).toEqual({ keepCandidate: true, retire: [] });
  });

  it('retires a certificate superseded for longer than the grace window', () => {
    // o2 was superseded by o1 registered 49 h ago: past 48 h of grace. o1 was superseded only now.
    const plan = planRotation(cert('n1', 0), [cert('o1', 49), cert('o2', 60)], policy);

    expect(ids(plan.retire)).toEqual(['o2']);
    expect(plan.keepCandidate).toBe(true);
  });

  it('retires a certificate past its notAfter even within the grace window', () => {
    const expired = cert('o1', 10, { notAfter: NOW - 1 });

    expect(ids(planRotation(cert('n1', 0), [expired], policy).retire)).toEqual(['o1']);
  });

  it('keeps at most the cap of certificates per Thing, the newest ones', () => {
    const plan = planRotation(cert('n1', 0), [cert('o1', 1), cert('o2', 2), cert('o3', 3), cert('o4', 4)], {
      ...policy,
      maxCertificatesPerThing: 3,
    });

    expect(ids(plan.retire).sort()).toEqual(['o3', 'o4']);
    expect(plan.keepCandidate).toBe(true);
  });

  it('refuses a late older certificate past grace without retiring the newer one', () => {
    const late = cert('l1', 60, { registeredAt: NOW });
    const plan = planRotation(late, [cert('n1', 50)], policy);

    expect(plan).toEqual({ keepCandidate: false, retire: [] });
  });

  it('leaves certificates of other CAs and REVOKED or in-flight ones alone, finishes half-retired ones', () => {
    const foreign = cert('f1', 100, { caCertificateId: 'b'.repeat(64) });
    const revoked = cert('r1', 100, { status: 'REVOKED' });
    const pending = cert('p1', 100, { status: 'PENDING_ACTIVATION' });
    const halfRetired = cert('h1', 100, { status: 'INACTIVE' });

    expect(ids(planRotation(cert('n1', 0), [foreign, revoked, pending, halfRetired], policy).retire)).toEqual(['h1']);
  });

  it('an older late certificate never causes the retirement of a newer one (property)', () => {
    const shape = fc.record({
      age: fc.integer({ min: 0, max: 200 }),
      registeredLag: fc.integer({ min: 0, max: 100 }),
      lifetime: fc.integer({ min: 1, max: 400 }),
    });
    fc.assert(
      fc.property(shape, fc.array(shape, { maxLength: 6 }), fc.integer({ min: 1, max: 5 }), (c, others, cap) => {
        const make = (x: typeof c, i: number) =>
          cert(`x${i}`, x.age, {
            registeredAt: NOW - Math.max(0, x.age - x.registeredLag) * HOUR,
            notAfter: NOW + x.lifetime * HOUR,
          });
        const candidate = make(c, 99);
        const siblings = others.map(make);
        const capped = { ...policy, maxCertificatesPerThing: cap };
        const withCandidate = planRotation(candidate, siblings, capped).retire;
        const without = new Set(planRetirement(siblings, capped).map((r) => r.certificateId));
        for (const retired of withCandidate) {
          if (retired.notBefore > candidate.notBefore) expect(without.has(retired.certificateId)).toBe(true);
        }
        expect(withCandidate.some((r) => r.certificateId === candidate.certificateId)).toBe(false);
      }),
    );
  });
});

describe('planRetirement', () => {
  it('retires what is superseded beyond grace among attached certificates, with no newcomer', () => {
    expect(ids(planRetirement([cert('a1', 10), cert('a2', 70), cert('a3', 100)], policy))).toEqual(['a3']);
  });

  it('retires nothing for a Thing with a single live certificate', () => {
    expect(planRetirement([cert('a1', 60)], policy)).toEqual([]);
  });
});
