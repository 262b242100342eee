import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../functions/fleet-config.js';
import { addToDenyList, mergeTrustedCa } from '../../../scripts/operator/fleet-merge.js';

const first = 'a'.repeat(64);
const second = 'b'.repeat(64);
const tenantId = '6f1b2c3d-0000-4000-8000-00000000abcd';

describe('mergeTrustedCa', () => {
  it('creates the document for the first CA', () => {
    const { config, action } = mergeTrustedCa(undefined, { certificateId: first, profile: 'generic', policyName: 'p' });

    expect(action).toBe('create');
    expect(config.trustedCas).toEqual([expect.objectContaining({ certificateId: first, rotationGraceHours: 48 })]);
  });

  it('adds a second CA beside the first, leaving the first as it was', () => {
    const current = mergeTrustedCa(undefined, { certificateId: first, profile: 'generic', policyName: 'p' }).config;

    const { config, action } = mergeTrustedCa(current, {
      certificateId: second,
      profile: 'azure-sphere',
      tenantId,
      policyName: 'p',
    });

    expect(action).toBe('create');
    expect(config.trustedCas.map((ca) => ca.certificateId)).toEqual([first, second]);
    expect(config.trustedCas[0]).toEqual(current.trustedCas[0]);
  });

  it('reports unchanged settings as unchanged and returns the document as it was', () => {
    const current = mergeTrustedCa(undefined, { certificateId: first, profile: 'generic', policyName: 'p' }).config;

    const merged = mergeTrustedCa(current, { certificateId: first, profile: 'generic', policyName: 'p' });

    expect(merged.action).toBe('unchanged');
    expect(merged.config).toBe(current);
  });

  it('updates settings in place and keeps what operators set by hand', () => {
    const current = parseFleetConfig({
      version: 1,
      trustedCas: [
        {
          certificateId: first,
          profile: 'generic',
          policyName: 'p',
          thingTypeName: 'sensor',
          deny: { deviceIds: ['stolen-1'] },
        },
      ],
    });

    const { config, action } = mergeTrustedCa(current, {
      certificateId: first,
      profile: 'generic',
      policyName: 'q',
      pattern: '^dev-(\\d+)$',
    });

    expect(action).toBe('update');
    expect(config.trustedCas[0]).toMatchObject({
      policyName: 'q',
      pattern: '^dev-(\\d+)$',
      thingTypeName: 'sensor',
      deny: { deviceIds: ['stolen-1'] },
    });
  });
});

describe('addToDenyList', () => {
  const config = parseFleetConfig({
    version: 1,
    trustedCas: [
      { certificateId: first, profile: 'generic', policyName: 'p' },
      { certificateId: second, profile: 'generic', policyName: 'p' },
    ],
  });

  it('adds lowercase entries to the named CAs only', () => {
    const updated = addToDenyList(config, [second], { deviceIds: ['Device-7'], certificateIds: ['C'.repeat(64)] });

    expect(updated?.trustedCas[0]?.deny.deviceIds).toEqual([]);
    expect(updated?.trustedCas[1]?.deny).toMatchObject({ deviceIds: ['device-7'], certificateIds: ['c'.repeat(64)] });
  });

  it('returns undefined when every entry is already there', () => {
    const once = addToDenyList(config, [first], { deviceIds: ['device-7'] });

    expect(once && addToDenyList(once, [first], { deviceIds: ['DEVICE-7'] })).toBeUndefined();
  });
});
