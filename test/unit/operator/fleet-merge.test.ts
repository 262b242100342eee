import { describe, expect, it } from 'vitest';
import { parseFleetConfig } from '../../../functions/fleet-config.js';
import { addToDenyList, mergeTrustedCa, removeFromDenyList } from '../../../scripts/operator/fleet-merge.js';

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

describe('rollover', () => {
  const third = 'c'.repeat(64);
  const sphere = (certificateId: string, tenant = tenantId) =>
    ({ certificateId, profile: 'azure-sphere', tenantId: tenant, policyName: 'p' }) as const;

  it('records a renewed Azure Sphere tenant CA as the successor of every CA of the same tenant, not of others', () => {
    let config = mergeTrustedCa(undefined, sphere(first)).config;
    config = mergeTrustedCa(config, sphere(second, '00000000-0000-4000-8000-000000000000')).config;

    const { config: renewed } = mergeTrustedCa(config, sphere(third));

    expect(renewed.trustedCas.find((ca) => ca.certificateId === third)?.rolloverFrom).toEqual([first]);
    expect(renewed.trustedCas.find((ca) => ca.certificateId === first)?.rolloverFrom).toEqual([]);
  });

  it('keeps a recorded rollover and adds the one given, once, never the CA itself', () => {
    const generic = (certificateId: string, rolloverFrom?: string[]) => ({
      certificateId,
      profile: 'generic' as const,
      policyName: 'p',
      ...(rolloverFrom ? { rolloverFrom } : {}),
    });
    let config = mergeTrustedCa(undefined, generic(first)).config;
    config = mergeTrustedCa(config, generic(second)).config;
    config = mergeTrustedCa(config, generic(third, [first])).config;

    const { config: again, action } = mergeTrustedCa(config, generic(third, [second, third, first.toUpperCase()]));

    expect(action).toBe('update');
    expect(again.trustedCas.find((ca) => ca.certificateId === third)?.rolloverFrom).toEqual([first, second]);
    expect(mergeTrustedCa(again, generic(third)).action).toBe('unchanged');
  });
});

describe('removeFromDenyList', () => {
  it('takes a device id off every CA that lists it, and says when none did', () => {
    const config = parseFleetConfig({
      version: 1,
      trustedCas: [
        { certificateId: first, profile: 'generic', policyName: 'p', deny: { deviceIds: ['dev-1', 'dev-2'] } },
        { certificateId: second, profile: 'generic', policyName: 'p', deny: { deviceIds: ['dev-1'] } },
      ],
    });

    const next = removeFromDenyList(config, ['DEV-1']);

    expect(next?.trustedCas.map((ca) => ca.deny.deviceIds)).toEqual([['dev-2'], []]);
    expect(removeFromDenyList(config, ['dev-9'])).toBeUndefined();
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
