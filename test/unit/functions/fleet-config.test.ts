import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetConfigError } from '../../../functions/errors.js';
import {
  FleetConfigSource,
  parseFleetConfig,
  parseFleetConfigJson,
  trustedCa,
} from '../../../functions/fleet-config.js';

const CA = 'A'.repeat(64);
const minimal = { version: 1, trustedCas: [{ certificateId: CA, profile: 'generic', policyName: 'jitr-device' }] };

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as FleetConfigError).code;
  }
  return undefined;
}

describe('fleet configuration', () => {
  it('fills the defaults: 48 h rotation grace, 4 certificates per Thing, empty deny list, no rollover', () => {
    const config = parseFleetConfig(minimal);

    expect(config.trustedCas[0]).toEqual({
      certificateId: 'a'.repeat(64),
      profile: 'generic',
      policyName: 'jitr-device',
      rotationGraceHours: 48,
      maxCertificatesPerThing: 4,
      deny: { deviceIds: [], serialNumbers: [], certificateIds: [] },
      rolloverFrom: [],
    });
  });

  it('finds a trusted CA by certificateId whatever its case', () => {
    const config = parseFleetConfig(minimal);

    expect(trustedCa(config, CA)?.policyName).toBe('jitr-device');
    expect(trustedCa(config, 'b'.repeat(64))).toBeUndefined();
  });

  it.each([
    ['a document that is not JSON', '{"version":1,'],
    ['an unknown top-level field', JSON.stringify({ ...minimal, extra: true })],
    ['a wrong version', JSON.stringify({ ...minimal, version: 2 })],
    [
      'a CA id that is not 64 hex',
      JSON.stringify({ version: 1, trustedCas: [{ ...minimal.trustedCas[0], certificateId: 'xyz' }] }),
    ],
    [
      'an unknown profile',
      JSON.stringify({ version: 1, trustedCas: [{ ...minimal.trustedCas[0], profile: 'esp32' }] }),
    ],
    [
      'an azure-sphere CA without tenant',
      JSON.stringify({ version: 1, trustedCas: [{ ...minimal.trustedCas[0], profile: 'azure-sphere' }] }),
    ],
    ['a broken pattern', JSON.stringify({ version: 1, trustedCas: [{ ...minimal.trustedCas[0], pattern: '([a-z' }] })],
    ['the same CA twice', JSON.stringify({ version: 1, trustedCas: [minimal.trustedCas[0], minimal.trustedCas[0]] })],
    [
      'a policy name with spaces',
      JSON.stringify({ version: 1, trustedCas: [{ ...minimal.trustedCas[0], policyName: 'a b' }] }),
    ],
  ])('refuses %s with FLEET_CONFIG_INVALID', (_what, text) => {
    expect(codeOf(() => parseFleetConfigJson(text))).toBe('FLEET_CONFIG_INVALID');
  });

  it('either accepts a document or throws FleetConfigError, whatever the input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.constant(minimal),
          fc.record({ version: fc.constant(1), trustedCas: fc.array(fc.anything()) }),
        ),
        (input) => {
          try {
            parseFleetConfig(input);
          } catch (error) {
            expect(error).toBeInstanceOf(FleetConfigError);
          }
        },
      ),
    );
  });

  it('names the offending field in the error message', () => {
    expect(() =>
      parseFleetConfig({ version: 1, trustedCas: [{ ...minimal.trustedCas[0], maxCertificatesPerThing: 0 }] }),
    ).toThrow(/trustedCas\.0\.maxCertificatesPerThing/);
  });
});

describe('FleetConfigSource', () => {
  it('reads the parameter once per TTL and re-reads after it', async () => {
    let now = 0;
    let reads = 0;
    const source = new FleetConfigSource(
      '/jitr/test/fleet-config',
      async () => {
        reads++;
        return JSON.stringify(minimal);
      },
      1000,
      () => now,
    );

    await source.get();
    await source.get();
    now = 1500;
    await source.get();

    expect(reads).toBe(2);
  });

  it('fails loudly when the parameter is missing or broken, and does not cache the failure', async () => {
    let text: string | undefined;
    const source = new FleetConfigSource('/p', async () => text);

    await expect(source.get()).rejects.toMatchObject({ code: 'FLEET_CONFIG_MISSING' });
    text = '{';
    await expect(source.get()).rejects.toBeInstanceOf(FleetConfigError);
    text = JSON.stringify(minimal);
    await expect(source.get()).resolves.toMatchObject({ version: 1 });
  });
});
