import { describe, expect, it } from 'vitest';
import { type FleetConfig, parseFleetConfig } from '../../../../functions/fleet-config.js';
import { decide } from '../../../../functions/onboard/decide.js';
import type { Facts, Step, ValidateDevice } from '../../../../functions/onboard/model.js';

const CA = 'a'.repeat(64);
const CERT = 'c'.repeat(64);
const NOW = Date.parse('2026-03-01T12:00:00Z');

const configWith = (crl?: { source: string; failClosed?: boolean }): FleetConfig =>
  parseFleetConfig({
    version: 1,
    trustedCas: [{ certificateId: CA, profile: 'generic', policyName: 'jitr-device', ...(crl ? { crl } : {}) }],
  });

const accept: ValidateDevice = () => ({ verdict: 'accept', reasons: [], deviceId: 'dev-1', thingName: 'dev-1' });

function facts(overrides: Partial<Facts> = {}): Facts {
  return {
    event: { certificateId: CERT, caCertificateId: CA, certificateStatus: 'PENDING_ACTIVATION' },
    now: NOW,
    certificate: {
      certificateId: CERT,
      certificateArn: `arn:aws:iot:us-east-1:000000000000:cert/${CERT}`,
      status: 'PENDING_ACTIVATION',
      caCertificateId: CA,
      certificatePem: 'PEM',
      notBefore: NOW - 1,
      notAfter: NOW + 1,
      registeredAt: NOW,
    },
    ca: { certificateId: CA, status: 'ACTIVE', certificatePem: 'CA PEM' },
    thing: null,
    ...overrides,
  };
}

const planOf = (step: Step) => {
  if (step.kind !== 'act') throw new Error(`expected a plan, got reads ${step.reads.join(', ')}`);
  return step.plan;
};
const unreachable = { status: 'unknown', code: 'CRL_UNREACHABLE', message: 'down' } as const;

describe('decide with a CA that names a CRL', () => {
  it('reads the CRL once the certificate passed validation, and never for a CA without one', () => {
    expect(decide(facts(), configWith({ source: 'https://crl.example/ca.crl' }), accept)).toEqual({
      kind: 'read',
      reads: ['revocation'],
    });
    expect(planOf(decide(facts(), configWith(), accept)).decision).toBe('onboarded');
  });

  it('revokes a certificate the CRL lists, with CERTIFICATE_REVOKED_BY_CA and the CRL reason', () => {
    const revocation = {
      status: 'revoked',
      serialNumber: '1f',
      reason: 'keyCompromise',
      reasonCode: 1,
      revokedAt: '2026-02-01T00:00:00.000Z',
    } as const;

    const plan = planOf(decide(facts({ revocation }), configWith({ source: 'ssm:/jitr/dev/crl/ca' }), accept));

    expect(plan).toMatchObject({
      decision: 'rejected',
      reasons: ['CERTIFICATE_REVOKED_BY_CA'],
      crlReason: 'keyCompromise',
    });
    expect(plan.stages).toEqual([[{ type: 'setStatus', certificateId: CERT, status: 'REVOKED' }]]);
  });

  it('fail-closed (the default): defers a device while no CRL can be used, with no action at all', () => {
    const plan = planOf(decide(facts({ revocation: unreachable }), configWith({ source: 'dp' }), accept));

    expect(plan).toMatchObject({ decision: 'deferred', reasons: ['CRL_UNREACHABLE'], crlProblem: 'CRL_UNREACHABLE' });
    expect(plan.stages).toEqual([]);
  });

  it('fail-open: onboards the device, and the plan says the CRL was unavailable', () => {
    const config = configWith({ source: 'dp', failClosed: false });

    const plan = planOf(decide(facts({ revocation: unreachable }), config, accept));

    expect(plan).toMatchObject({ decision: 'onboarded', reasons: [], crlProblem: 'CRL_UNREACHABLE' });
    expect(plan.stages.flat().map((action) => action.type)).toContain('setStatus');
  });

  it('onboards a device the current CRL does not list, without a CRL note', () => {
    const revocation = { status: 'good', nextUpdate: '2026-03-02T00:00:00.000Z' } as const;

    const plan = planOf(decide(facts({ revocation }), configWith({ source: 'https://crl.example/ca.crl' }), accept));

    expect(plan.decision).toBe('onboarded');
    expect(plan.crlProblem).toBeUndefined();
  });

  it('refuses a fleet configuration whose CRL source is none of the supported kinds', () => {
    expect(() => configWith({ source: 'ftp://crl.example/ca.crl' })).toThrow(/crl.source/);
  });
});
