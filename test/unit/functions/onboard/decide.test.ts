import { describe, expect, it } from 'vitest';
import { type FleetConfig, parseFleetConfig } from '../../../../functions/fleet-config.js';
import { bindingAttributes, decide, REASON } from '../../../../functions/onboard/decide.js';
import type {
  Action,
  CertificateFacts,
  DeviceVerdict,
  Facts,
  Step,
  ValidateDevice,
} from '../../../../functions/onboard/model.js';

const CA = 'a'.repeat(64);
const OTHER_CA = 'b'.repeat(64);
const CERT = 'c'.repeat(64);
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const arn = (id: string) => `arn:aws:iot:us-east-1:000000000000:cert/${id}`;

const config: FleetConfig = parseFleetConfig({
  version: 1,
  trustedCas: [
    { certificateId: CA, profile: 'generic', tenantId: 'acme', policyName: 'jitr-device' },
    { certificateId: OTHER_CA, profile: 'generic', tenantId: 'globex', policyName: 'jitr-device' },
  ],
});

const accept: ValidateDevice = () => ({ verdict: 'accept', reasons: [], deviceId: 'Dev-1', thingName: 'dev-1' });
const rejectWith =
  (...codes: string[]): ValidateDevice =>
  (): DeviceVerdict => ({
    verdict: 'reject',
    reasons: codes.map((code) => ({ code, message: code })),
    deviceId: 'dev-1',
  });

function certificate(overrides: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    certificateId: CERT,
    certificateArn: arn(CERT),
    status: 'PENDING_ACTIVATION',
    caCertificateId: CA,
    certificatePem: 'PEM',
    notBefore: NOW - HOUR,
    notAfter: NOW + 24 * HOUR,
    registeredAt: NOW,
    ...overrides,
  };
}

function facts(overrides: Partial<Facts> = {}): Facts {
  return {
    event: { certificateId: CERT, caCertificateId: CA, certificateStatus: 'PENDING_ACTIVATION' },
    now: NOW,
    certificate: certificate(),
    ca: { certificateId: CA, status: 'ACTIVE', certificatePem: 'CA PEM' },
    thing: null,
    ...overrides,
  };
}

function planOf(step: Step) {
  if (step.kind !== 'act') throw new Error(`expected a plan, got reads ${step.reads.join(',')}`);
  return step.plan;
}

const types = (stages: Action[][]) => stages.map((stage) => stage.map((action) => action.type));

describe('decide', () => {
  it('ignores a certificate of a CA that is not in the fleet configuration, without reading anything', () => {
    const step = decide(
      facts({ event: { certificateId: CERT, caCertificateId: 'd'.repeat(64), certificateStatus: 'x' } }),
      config,
      accept,
    );

    expect(planOf(step)).toMatchObject({ decision: 'ignored', reasons: [REASON.caNotTrusted], stages: [] });
  });

  it('asks for the certificate first, then the CA, then the Thing named by validation', () => {
    expect(decide(facts({ certificate: undefined }), config, accept)).toEqual({ kind: 'read', reads: ['certificate'] });
    expect(decide(facts({ ca: undefined }), config, accept)).toEqual({ kind: 'read', reads: ['ca'] });
    expect(decide(facts({ thing: undefined }), config, accept)).toEqual({
      kind: 'read',
      reads: ['thing'],
      thingName: 'dev-1',
    });
  });

  it('treats an ACTIVE certificate as a duplicate event needing nothing more than its description', () => {
    const plan = planOf(
      decide(facts({ certificate: certificate({ status: 'ACTIVE' }), ca: undefined }), config, accept),
    );

    expect(plan).toMatchObject({ decision: 'duplicate', stages: [] });
  });

  it.each(['REVOKED', 'INACTIVE', 'PENDING_TRANSFER'])('leaves a %s certificate alone', (status) => {
    const plan = planOf(decide(facts({ certificate: certificate({ status }) }), config, accept));

    expect(plan).toMatchObject({ decision: 'ignored', reasons: [`CERTIFICATE_${status}`], stages: [] });
  });

  it('ignores a certificate IoT recorded under another CA than the event names', () => {
    const plan = planOf(decide(facts({ certificate: certificate({ caCertificateId: OTHER_CA }) }), config, accept));

    expect(plan).toMatchObject({ decision: 'ignored', reasons: [REASON.caMismatch] });
  });

  it('defers (never revokes) while the CA is INACTIVE or no longer registered', () => {
    const inactive = planOf(
      decide(facts({ ca: { certificateId: CA, status: 'INACTIVE', certificatePem: 'x' } }), config, accept),
    );
    const missing = planOf(decide(facts({ ca: null }), config, accept));

    expect(inactive).toMatchObject({ decision: 'deferred', reasons: [REASON.caInactive], stages: [] });
    expect(missing).toMatchObject({ decision: 'deferred', reasons: [REASON.caNotRegistered], stages: [] });
  });

  it('revokes a certificate validation rejects, with every reason code', () => {
    const plan = planOf(decide(facts(), config, rejectWith('EXPIRED', 'WEAK_KEY')));

    expect(plan.decision).toBe('rejected');
    expect(plan.reasons).toEqual(['EXPIRED', 'WEAK_KEY']);
    expect(plan.stages).toEqual([[{ type: 'setStatus', certificateId: CERT, status: 'REVOKED' }]]);
  });

  it('validates at the decision time with the CA entry of the fleet configuration', () => {
    const seen: Parameters<ValidateDevice>[0][] = [];
    decide(facts(), config, (input) => {
      seen.push(input);
      return accept(input);
    });

    expect(seen).toHaveLength(1);
    expect(seen[0]?.at.getTime()).toBe(NOW);
    expect(seen[0]?.ca.certificateId).toBe(CA);
    expect(seen[0]?.caCertificatePem).toBe('CA PEM');
  });

  it('onboards a new device: Thing and policy first, then the attachment, then ACTIVE last', () => {
    const plan = planOf(decide(facts(), config, accept));

    expect(plan.decision).toBe('onboarded');
    expect(types(plan.stages)).toEqual([['createThing', 'attachPolicy'], ['attachThing'], ['setStatus']]);
    expect(plan.stages[0]?.[0]).toEqual({
      type: 'createThing',
      thingName: 'dev-1',
      attributes: { ...bindingAttributes(config.trustedCas[0]!), jitr_device_id: 'Dev-1' },
    });
    expect(plan.stages[2]).toEqual([{ type: 'setStatus', certificateId: CERT, status: 'ACTIVE' }]);
  });

  it('adds a new Thing to the configured group and gives it the configured type', () => {
    const grouped = parseFleetConfig({
      version: 1,
      trustedCas: [
        { certificateId: CA, profile: 'generic', policyName: 'p', thingGroupName: 'fleet', thingTypeName: 'sensor' },
      ],
    });
    const plan = planOf(decide(facts(), grouped, accept));

    expect(types(plan.stages)).toEqual([
      ['createThing', 'attachPolicy'],
      ['attachThing', 'addThingToGroup'],
      ['setStatus'],
    ]);
    expect(plan.stages[0]?.[0]).toMatchObject({ thingTypeName: 'sensor' });
  });

  it('revokes and flags a security event when the Thing belongs to another CA', () => {
    const thing = { thingName: 'dev-1', attributes: bindingAttributes(config.trustedCas[1]!) };
    const plan = planOf(decide(facts({ thing }), config, accept));

    expect(plan).toMatchObject({ decision: 'rejected', reasons: [REASON.thingOtherCa], security: true });
    expect(types(plan.stages)).toEqual([['setStatus']]);
    expect(plan.stages.flat().some((action) => action.type === 'attachThing')).toBe(false);
  });

  it('holds the certificate pending for an operator when another CA of the fleet, same tenant, owns the Thing', () => {
    const sameTenant = parseFleetConfig({
      version: 1,
      trustedCas: [
        { certificateId: CA, profile: 'generic', tenantId: 'acme', policyName: 'jitr-device' },
        { certificateId: OTHER_CA, profile: 'generic', tenantId: 'acme', policyName: 'jitr-device' },
      ],
    });
    const thing = { thingName: 'dev-1', attributes: bindingAttributes(sameTenant.trustedCas[1]!) };

    const plan = planOf(decide(facts({ thing }), sameTenant, accept));

    expect(plan).toMatchObject({ decision: 'deferred', reasons: [REASON.thingTrustedCa], security: true });
    expect(plan.stages).toEqual([]);
  });

  it('rejects every new certificate of a device whose Thing jitr revoke marked, whatever the deny list says', () => {
    const thing = {
      thingName: 'dev-1',
      attributes: { ...bindingAttributes(config.trustedCas[0]!), jitr_ca: `revoked:${CA}` },
    };

    const plan = planOf(decide(facts({ thing }), config, accept));

    expect(plan).toMatchObject({ decision: 'rejected', reasons: [REASON.deviceRevoked] });
    expect(plan.security).toBeUndefined();
    expect(types(plan.stages)).toEqual([['setStatus']]);
  });

  it('revokes when the Thing is bound to the same CA but another tenant, or to no CA at all', () => {
    const otherTenant = {
      thingName: 'dev-1',
      attributes: { ...bindingAttributes(config.trustedCas[0]!), jitr_profile: 'generic/globex' },
    };
    // A Thing written before the tenant moved into jitr_profile: the separate jitr_tenant still binds it.
    const legacyOtherTenant = {
      thingName: 'dev-1',
      attributes: { jitr_ca: config.trustedCas[0]!.certificateId, jitr_profile: 'generic', jitr_tenant: 'globex' },
    };
    const unmanaged = { thingName: 'dev-1', attributes: {} };

    expect(planOf(decide(facts({ thing: otherTenant }), config, accept)).reasons).toEqual([REASON.thingOtherTenant]);
    expect(planOf(decide(facts({ thing: legacyOtherTenant }), config, accept)).reasons).toEqual([
      REASON.thingOtherTenant,
    ]);
    expect(planOf(decide(facts({ thing: unmanaged }), config, accept)).reasons).toEqual([REASON.thingNotManaged]);
  });

  it('accepts a Thing written with the older separate jitr_tenant attribute for its own tenant', () => {
    const attributes = { jitr_ca: CA, jitr_profile: 'generic', jitr_tenant: 'acme' };
    const step = decide(facts({ thing: { thingName: 'dev-1', attributes }, principals: [] }), config, accept);

    expect(planOf(step).decision).toBe('onboarded');
  });

  it('binds a new Thing with 3 attributes: CA, profile/tenant, device id', () => {
    expect(bindingAttributes(config.trustedCas[0]!)).toEqual({ jitr_ca: CA, jitr_profile: 'generic/acme' });
  });

  it('accepts a Thing bound to a CA this one rolls over from', () => {
    const rollover = parseFleetConfig({
      version: 1,
      trustedCas: [{ certificateId: CA, profile: 'generic', policyName: 'p', rolloverFrom: [OTHER_CA] }],
    });
    const thing = { thingName: 'dev-1', attributes: { jitr_ca: OTHER_CA, jitr_profile: 'generic' } };
    const step = decide(facts({ thing, principals: [] }), rollover, accept);

    expect(planOf(step).decision).toBe('onboarded');
  });

  it('lists the principals of an existing Thing, and describes the other certificates before deciding', () => {
    const thing = { thingName: 'dev-1', attributes: bindingAttributes(config.trustedCas[0]!) };

    expect(decide(facts({ thing }), config, accept)).toMatchObject({ kind: 'read', reads: ['principals'] });
    expect(decide(facts({ thing, principals: [arn(CERT), arn('e'.repeat(64))] }), config, accept)).toMatchObject({
      kind: 'read',
      reads: ['siblings'],
    });
  });

  it('completes a half-provisioned certificate (replay after a crash) with the same ordered steps', () => {
    const thing = { thingName: 'dev-1', attributes: bindingAttributes(config.trustedCas[0]!) };
    const plan = planOf(decide(facts({ thing, principals: [arn(CERT)] }), config, accept));

    expect(plan.decision).toBe('onboarded');
    expect(types(plan.stages)).toEqual([['attachPolicy'], ['attachThing'], ['setStatus']]);
  });

  it('rotates: activates the new certificate and keeps the previous one within the grace window', () => {
    const thing = { thingName: 'dev-1', attributes: bindingAttributes(config.trustedCas[0]!) };
    const old = certificate({
      certificateId: 'e'.repeat(64),
      certificateArn: arn('e'.repeat(64)),
      status: 'ACTIVE',
      notBefore: NOW - 25 * HOUR,
      registeredAt: NOW - 24 * HOUR,
    });
    const plan = planOf(
      decide(facts({ thing, principals: [arn(old.certificateId)], siblings: [old] }), config, accept),
    );

    expect(plan.decision).toBe('rotated');
    expect(types(plan.stages)).toEqual([['attachPolicy'], ['attachThing'], ['setStatus']]);
  });

  it('parks a late certificate that a newer one superseded beyond the grace window, leaving the newer one alone', () => {
    const thing = { thingName: 'dev-1', attributes: bindingAttributes(config.trustedCas[0]!) };
    const newer = certificate({
      certificateId: 'e'.repeat(64),
      certificateArn: arn('e'.repeat(64)),
      status: 'ACTIVE',
      notBefore: NOW - HOUR + 1,
      registeredAt: NOW - 49 * HOUR,
    });
    const plan = planOf(
      decide(facts({ thing, principals: [arn(newer.certificateId)], siblings: [newer] }), config, accept),
    );

    expect(plan.decision).toBe('superseded');
    expect(plan.stages).toEqual([[{ type: 'setStatus', certificateId: CERT, status: 'INACTIVE' }]]);
  });

  describe('one device id, one Thing', () => {
    const bound = (extra: Record<string, string> = {}) => ({
      thingName: 'dev-1',
      attributes: { ...bindingAttributes(config.trustedCas[0]!), ...extra },
    });
    const sibling = certificate({
      certificateId: 'e'.repeat(64),
      certificateArn: arn('e'.repeat(64)),
      status: 'ACTIVE',
      certificatePem: 'SIBLING PEM',
      notBefore: NOW - 25 * HOUR,
      registeredAt: NOW - 24 * HOUR,
    });
    const siblingNamed =
      (siblingId: string): ValidateDevice =>
      ({ certificatePem }) => ({
        verdict: 'accept',
        reasons: [],
        deviceId: certificatePem === 'SIBLING PEM' ? siblingId : 'Dev-1',
        thingName: 'dev-1',
      });

    it('revokes as a security event a certificate whose id differs only by case from the id the Thing records', () => {
      const plan = planOf(decide(facts({ thing: bound({ jitr_device_id: 'DEV-1' }) }), config, accept));

      expect(plan).toMatchObject({ decision: 'rejected', reasons: [REASON.deviceIdConfusable], security: true });
      expect(types(plan.stages)).toEqual([['setStatus']]);
    });

    it('onboards onto a Thing that records exactly its id', () => {
      const plan = planOf(decide(facts({ thing: bound({ jitr_device_id: 'Dev-1' }), principals: [] }), config, accept));

      expect(plan.decision).toBe('onboarded');
    });

    it('on a Thing made before ids were recorded, refuses an id its ACTIVE certificate names otherwise', () => {
      const step = decide(
        facts({ thing: bound(), principals: [arn(sibling.certificateId)], siblings: [sibling] }),
        config,
        siblingNamed('dev-1'),
      );

      expect(planOf(step)).toMatchObject({ reasons: [REASON.deviceIdConfusable], security: true });
    });

    it('on a Thing made before ids were recorded, rotates a certificate naming the same id as its ACTIVE one', () => {
      const step = decide(
        facts({ thing: bound(), principals: [arn(sibling.certificateId)], siblings: [sibling] }),
        config,
        siblingNamed('Dev-1'),
      );

      expect(planOf(step).decision).toBe('rotated');
    });

    it('flags a Unicode look-alike id (it folds to an ASCII id) as a security event besides refusing it', () => {
      const kelvin: ValidateDevice = () => ({
        verdict: 'reject',
        reasons: [{ code: 'DEVICE_ID_INVALID', message: 'not ASCII' }],
        deviceId: 'dev-\u212A',
      });

      const plan = planOf(decide(facts(), config, kelvin));

      expect(plan).toMatchObject({
        decision: 'rejected',
        reasons: ['DEVICE_ID_INVALID', REASON.deviceIdConfusable],
        security: true,
      });
    });
  });
});
