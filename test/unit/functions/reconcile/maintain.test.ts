import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../../functions/fleet-config.js';
import { bindingAttributes } from '../../../../functions/onboard/decide.js';
import type { CertificateFacts } from '../../../../functions/onboard/model.js';
import { planMaintenance } from '../../../../functions/reconcile/maintain.js';

const CA = 'a'.repeat(64);
const NOW = Date.parse('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const ca = parseFleetConfig({ version: 1, trustedCas: [{ certificateId: CA, profile: 'generic', policyName: 'p' }] })
  .trustedCas[0]!;

function cert(id: string, hoursAgo: number): CertificateFacts {
  const certificateId = id.padEnd(64, '0');
  return {
    certificateId,
    certificateArn: `arn:aws:iot:us-east-1:000000000000:cert/${certificateId}`,
    status: 'ACTIVE',
    caCertificateId: CA,
    certificatePem: '',
    notBefore: NOW - hoursAgo * HOUR,
    notAfter: NOW + 100 * HOUR,
    registeredAt: NOW - hoursAgo * HOUR,
  };
}

const thing = { thingName: 'dev-1', attributes: bindingAttributes(ca) };
const types = (stages: { type: string }[][]) => stages.map((stage) => stage.map((action) => action.type));

describe('planMaintenance', () => {
  it('attaches an ACTIVE certificate that was activated without its Thing', () => {
    const certificate = cert('c1', 1);
    const plan = planMaintenance({ certificate, thingName: 'dev-1', thing, principals: [], others: [], ca, now: NOW });

    expect(plan.completes).toBe(true);
    expect(types(plan.stages)).toEqual([['attachPolicy'], ['attachThing']]);
  });

  it('creates the missing Thing of an ACTIVE certificate, bound to its CA', () => {
    const plan = planMaintenance({
      certificate: cert('c1', 1),
      thingName: 'dev-1',
      thing: null,
      principals: [],
      others: [],
      ca,
      now: NOW,
    });

    expect(types(plan.stages)).toEqual([['createThing', 'attachPolicy'], ['attachThing']]);
  });

  it('retires a sibling superseded beyond grace and leaves a fully provisioned single certificate alone', () => {
    const current = cert('c1', 50);
    const old = cert('o1', 80);
    const principals = [current.certificateArn, old.certificateArn];

    const plan = planMaintenance({
      certificate: current,
      thingName: 'dev-1',
      thing,
      principals,
      others: [old],
      ca,
      now: NOW,
    });
    const alone = planMaintenance({
      certificate: current,
      thingName: 'dev-1',
      thing,
      principals: [current.certificateArn],
      others: [],
      ca,
      now: NOW,
    });

    expect(plan.completes).toBe(false);
    expect(plan.stages).toEqual([[expect.objectContaining({ type: 'retire', certificateId: old.certificateId })]]);
    expect(alone.stages).toEqual([]);
  });

  it('does not touch a Thing bound to another CA', () => {
    const foreign = { thingName: 'dev-1', attributes: { jitr_ca: 'b'.repeat(64) } };

    expect(
      planMaintenance({
        certificate: cert('c1', 1),
        thingName: 'dev-1',
        thing: foreign,
        principals: [],
        others: [],
        ca,
        now: NOW,
      }).stages,
    ).toEqual([]);
  });

  it('records the exact device id on a Thing it creates, and leaves alone a Thing made for a case variant', () => {
    const input = { certificate: cert('c1', 1), thingName: 'dev-1', principals: [], others: [], ca, now: NOW };

    const created = planMaintenance({ ...input, deviceId: 'Dev-1', thing: null });
    const variant = planMaintenance({
      ...input,
      deviceId: 'Dev-1',
      thing: { thingName: 'dev-1', attributes: { ...bindingAttributes(ca), jitr_device_id: 'DEV-1' } },
    });

    expect(created.stages[0]?.[0]).toMatchObject({ type: 'createThing', attributes: { jitr_device_id: 'Dev-1' } });
    expect(variant).toEqual({ completes: false, stages: [] });
  });
});
