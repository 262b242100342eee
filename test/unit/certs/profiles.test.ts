import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CertificateFields, NameAttribute } from '../../../certs/fields.js';
import { fieldsOf } from '../../../certs/fields.js';
import { createRootCa, issueDeviceCertificate } from '../../../certs/issue.js';
import { parseCertificate } from '../../../certs/parse.js';
import {
  foldedLookAlike,
  identifyDevice,
  normaliseThingName,
  patternError,
  thingNameFor,
} from '../../../certs/profiles.js';
import { ISSUED_AT, TENANT_ID } from './fixtures.js';

const THING_NAME = /^[a-z0-9:_-]{1,128}$/;
let base: CertificateFields;

beforeAll(async () => {
  const ca = await createRootCa({ commonName: 'Profiles CA', notBefore: ISSUED_AT });
  const device = await issueDeviceCertificate(ca, { subject: { commonName: 'base' }, subjectKeyIdentifier: false });
  base = fieldsOf(parseCertificate(device.certificatePem).der);
});

const cn = (value: string): NameAttribute => ({ oid: '2.5.4.3', name: 'CN', value });
/** The same certificate fields with another subject/issuer: identity rules read nothing else. */
const fields = (subject: NameAttribute[], issuer: NameAttribute[] = base.issuer): CertificateFields => ({
  ...base,
  subject,
  issuer,
});
const azureIssuer = [cn(`Microsoft Azure Sphere ${TENANT_ID.toUpperCase()}`)];
const hex128 = 'AbCd'.repeat(32);

describe('normaliseThingName', () => {
  it('lowercases and refuses what AWS thing names cannot hold', () => {
    expect(normaliseThingName('Pump_7:A-b')).toBe('pump_7:a-b');
    expect(normaliseThingName('')).toBeUndefined();
    expect(normaliseThingName('has space')).toBeUndefined();
    expect(normaliseThingName('dot.ted')).toBeUndefined();
    expect(normaliseThingName('x'.repeat(129))).toBeUndefined();
  });

  it('returns only valid thing names, is idempotent, and changes nothing but case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (id) => {
        const name = normaliseThingName(id);
        if (name === undefined) return;
        expect(name).toMatch(THING_NAME);
        expect(normaliseThingName(name)).toBe(name);
        expect(name).toBe(id.toLowerCase());
      }),
    );
  });
});

describe('azure-sphere identity', () => {
  it('takes the 128-hex CN, normalised to lowercase, as device id and thing name, and the tenant from the issuer', () => {
    const identity = identifyDevice(
      { profile: 'azure-sphere', tenantId: TENANT_ID },
      fields([cn(hex128)], azureIssuer),
    );
    expect(identity).toEqual({
      deviceId: hex128.toLowerCase(),
      thingName: hex128.toLowerCase(),
      tenantId: TENANT_ID,
      reasons: [],
    });
  });

  it('maps any 128-hex id to its lowercase', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-fA-F]{128}$/), (id) => {
        expect(identifyDevice({ profile: 'azure-sphere' }, fields([cn(id)], azureIssuer)).thingName).toBe(
          id.toLowerCase(),
        );
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['no CN', [], 'DEVICE_ID_MISSING'],
    ['two CNs', [cn(hex128), cn(hex128)], 'DEVICE_ID_INVALID'],
    ['127 hex', [cn(hex128.slice(1))], 'DEVICE_ID_INVALID'],
    ['a non-hex character', [cn(`${hex128.slice(1)}g`)], 'DEVICE_ID_INVALID'],
  ])('refuses a subject with %s', (_, subject, code) => {
    expect(
      identifyDevice({ profile: 'azure-sphere' }, fields(subject, azureIssuer)).reasons.map((r) => r.code),
    ).toEqual([code]);
  });

  it('refuses another tenant or an issuer that is not a tenant CA', () => {
    const other = identifyDevice(
      { profile: 'azure-sphere', tenantId: '00000000-0000-0000-0000-000000000000' },
      fields([cn(hex128)], azureIssuer),
    );
    const notAzure = identifyDevice({ profile: 'azure-sphere' }, fields([cn(hex128)], [cn('Microsoft Azure Sphere')]));
    expect(other.reasons.map((r) => r.code)).toEqual(['TENANT_MISMATCH']);
    expect(other.thingName).toBe(hex128.toLowerCase());
    expect(notAzure.reasons.map((r) => r.code)).toEqual(['TENANT_MISMATCH']);
  });
});

describe('microchip identity', () => {
  it('uses the SKI extension when present', () => {
    const ski = new Uint8Array([0x04, 0x03, 0xab, 0xcd, 0xef]);
    const withSki = { ...base, extensions: new Map([['2.5.29.14', { critical: false, value: ski }]]) };
    expect(identifyDevice({ profile: 'microchip' }, withSki)).toEqual({
      deviceId: 'abcdef',
      thingName: 'abcdef',
      reasons: [],
    });
  });

  it('refuses an empty SKI, and a SKI too long for a thing name', () => {
    const empty = {
      ...base,
      extensions: new Map([['2.5.29.14', { critical: false, value: new Uint8Array([0x04, 0x00]) }]]),
    };
    const long = {
      ...base,
      extensions: new Map([
        ['2.5.29.14', { critical: false, value: new Uint8Array([0x04, 65, ...new Uint8Array(65)]) }],
      ]),
    };
    expect(identifyDevice({ profile: 'microchip' }, empty).reasons.map((r) => r.code)).toEqual(['DEVICE_ID_INVALID']);
    expect(identifyDevice({ profile: 'microchip' }, long).reasons.map((r) => r.code)).toEqual(['DEVICE_ID_INVALID']);
  });

  it('computes SHA-1 of the public key bits when the extension is absent: 40 hex, stable', () => {
    const identity = identifyDevice({ profile: 'microchip' }, base);
    expect(identity.thingName).toMatch(/^[0-9a-f]{40}$/);
    expect(identifyDevice({ profile: 'microchip' }, { ...base, subject: [] }).thingName).toBe(identity.thingName);
  });
});

describe('generic identity', () => {
  it('takes the whole CN by default', () => {
    expect(identifyDevice({ profile: 'generic' }, fields([cn('Line-3:Pump_7')]))).toEqual({
      deviceId: 'Line-3:Pump_7',
      thingName: 'line-3:pump_7',
      reasons: [],
    });
  });

  it('takes the named group `id`, else the first group, else the whole match of the pattern', () => {
    const subject = fields([cn('factory/ACME/device/Unit-42')]);
    expect(identifyDevice({ profile: 'generic', pattern: 'device/(?<id>[A-Za-z0-9-]+)$' }, subject).thingName).toBe(
      'unit-42',
    );
    expect(identifyDevice({ profile: 'generic', pattern: '^factory/(\\w+)/' }, subject).thingName).toBe('acme');
    expect(identifyDevice({ profile: 'generic', pattern: 'Unit-\\d+' }, subject).thingName).toBe('unit-42');
  });

  it('refuses a CN off the pattern, an invalid pattern, a missing CN, and an id that is no thing name', () => {
    const code = (subject: NameAttribute[], pattern?: string) =>
      identifyDevice(
        { profile: 'generic', ...(pattern !== undefined ? { pattern } : {}) },
        fields(subject),
      ).reasons.map((r) => r.code);
    expect(code([cn('abc')], '^\\d+$')).toEqual(['DEVICE_ID_INVALID']);
    expect(code([cn('abc')], '(')).toEqual(['DEVICE_ID_INVALID']);
    expect(code([cn('abc')], '(x)?')).toEqual(['DEVICE_ID_INVALID']);
    expect(code([{ oid: '2.5.4.10', name: 'O', value: 'Acme' }])).toEqual(['DEVICE_ID_MISSING']);
    expect(code([cn('')])).toEqual(['DEVICE_ID_MISSING']);
    expect(code([cn('caf\u00e9')])).toEqual(['DEVICE_ID_INVALID']);
  });

  it.each([
    ['the Kelvin sign U+212A', 'rt-\u212Aelvin', 'rt-kelvin'],
    ['fullwidth letters', '\uFF32\uFF34-case', 'rt-case'],
    ['a long s U+017F', 'sen\u017For-1', 'sensor-1'],
  ])('refuses an id with %s before any case mapping, naming the ASCII id it folds to', (_label, id, folded) => {
    const identity = identifyDevice({ profile: 'generic' }, fields([cn(id)]));

    expect(identity.thingName).toBeUndefined();
    expect(identity.reasons.map((r) => r.code)).toEqual(['DEVICE_ID_INVALID']);
    expect(identity.reasons[0]?.message).toContain(`folds to "${folded}"`);
    expect(foldedLookAlike(id)).toBe(folded);
  });

  it('keeps the exact id (case included) as device id; only the thing name is lowercased', () => {
    const upper = identifyDevice({ profile: 'generic' }, fields([cn('RT-CASE')]));
    const lower = identifyDevice({ profile: 'generic' }, fields([cn('rt-case')]));

    expect([upper.deviceId, upper.thingName]).toEqual(['RT-CASE', 'rt-case']);
    expect([lower.deviceId, lower.thingName]).toEqual(['rt-case', 'rt-case']);
  });

  it('accepts no character outside ASCII [A-Za-z0-9:_-], whatever it lowercases to', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), (value) => {
        const identity = identifyDevice({ profile: 'generic' }, fields([cn(value)]));
        if (identity.thingName !== undefined) expect(value).toMatch(/^[A-Za-z0-9:_-]+$/);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a valid thing name or a reason for any CN, never both and never neither', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 150 }), (value) => {
        const identity = identifyDevice({ profile: 'generic' }, fields([cn(value)]));
        if (identity.thingName !== undefined) {
          expect(identity.thingName).toMatch(THING_NAME);
          expect(identity.reasons).toEqual([]);
        } else {
          expect(identity.reasons.length).toBe(1);
        }
      }),
    );
  });

  it('reports pattern errors up front', () => {
    expect(patternError('(')).toMatch(/Invalid regular expression/);
    expect(patternError('^dev-(\\d+)$')).toBeUndefined();
  });
});

describe('thingNameFor', () => {
  it('accepts a profile name or config and a loaded certificate or its fields', async () => {
    const ca = await createRootCa({ commonName: 'T' });
    const device = parseCertificate(
      (await issueDeviceCertificate(ca, { subject: { commonName: 'Thing-1' } })).certificatePem,
    );
    expect(thingNameFor('generic', device)).toBe('thing-1');
    expect(thingNameFor({ profile: 'generic', pattern: '\\d+$' }, fieldsOf(device.der))).toBe('1');
    expect(thingNameFor('azure-sphere', device)).toBeUndefined();
  });
});
