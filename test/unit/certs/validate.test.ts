import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDenyList } from '../../../certs/deny.js';
import { issueFleetDevice } from '../../../certs/fleet.js';
import { createIntermediateCa, createRootCa, issueDeviceCertificate } from '../../../certs/issue.js';
import { parseCertificate } from '../../../certs/parse.js';
import { REASON_CODES, type ReasonCode } from '../../../certs/reasons.js';
import { type ValidationInput, validateDeviceCertificate } from '../../../certs/validate.js';
import { opensslNotBefore, scratchDir } from '../../helpers/openssl.js';
import { CA_EXTENSIONS, DEVICE_EXTENSIONS, OpensslPathFactory } from '../../helpers/openssl-paths.js';
import { CHECK_AT, type Fleets, ISSUED_AT, makeFleets, TENANT_ID, tamperSignature } from './fixtures.js';

let fleets: Fleets;
beforeAll(async () => {
  fleets = await makeFleets();
});

const generic = { profile: 'generic' } as const;
const codes = (input: ValidationInput): ReasonCode[] => validateDeviceCertificate(input).reasons.map((r) => r.code);

async function genericDevice(opts: Partial<Parameters<typeof issueDeviceCertificate>[1]> = {}) {
  return issueDeviceCertificate(fleets.generic, { subject: { commonName: 'pump-7' }, notBefore: ISSUED_AT, ...opts });
}

describe('validateDeviceCertificate accepts', () => {
  it('a generic device signed by the trusted CA, naming the thing after the CN', async () => {
    const device = await genericDevice({ subject: { commonName: 'Pump-7' } });

    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: fleets.generic.certificatePem,
      profile: generic,
      at: CHECK_AT,
    });

    expect(result).toEqual({
      verdict: 'accept',
      reasons: [],
      certificateId: device.certificateId,
      deviceId: 'Pump-7',
      thingName: 'pump-7',
    });
  });

  it('an azure-sphere device of the expected tenant, reporting the tenant', async () => {
    const device = await issueFleetDevice(fleets.azureSphere, { notBefore: new Date('2026-05-31T12:00:00Z') });

    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: fleets.azureSphere.certificatePem,
      profile: { profile: 'azure-sphere', tenantId: TENANT_ID.toUpperCase() },
      at: CHECK_AT,
    });

    expect(result.verdict).toBe('accept');
    expect(result.thingName).toBe(device.deviceId.toLowerCase());
    expect(result.tenantId).toBe(TENANT_ID);
  });

  it('a microchip device against its signer, or against the root with the signer as intermediate or in the bundle', async () => {
    const device = await issueFleetDevice(fleets.microchip, { notBefore: ISSUED_AT });
    const root = fleets.microchip.root!.certificatePem;
    const profile = { profile: 'microchip' } as const;

    const direct = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: fleets.microchip.certificatePem,
      profile,
      at: CHECK_AT,
    });
    const viaIntermediate = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: root,
      intermediates: [fleets.other.certificatePem, fleets.microchip.certificatePem],
      profile,
      at: CHECK_AT,
    });
    const viaBundle = validateDeviceCertificate({ certificate: device.chainPem, issuer: root, profile, at: CHECK_AT });

    for (const result of [direct, viaIntermediate, viaBundle]) {
      expect(result.reasons).toEqual([]);
      expect(result.thingName).toBe(device.thingName);
    }
  });

  it('parsed certificates and DER bytes as well as PEM', async () => {
    const device = await genericDevice();
    const issuer = parseCertificate(fleets.generic.certificatePem);
    const der = parseCertificate(device.certificatePem).der;

    expect(validateDeviceCertificate({ certificate: der, issuer, profile: generic, at: CHECK_AT }).verdict).toBe(
      'accept',
    );
    expect(
      validateDeviceCertificate({ certificate: parseCertificate(der), issuer, profile: generic, at: CHECK_AT }).verdict,
    ).toBe('accept');
  });

  it('strong keys: P-384 and RSA-2048, and a certificate without any EKU', async () => {
    const p384 = await genericDevice({ keyAlgorithm: 'P-384' });
    const rsa = await genericDevice({ keyAlgorithm: 'RSA-2048', extendedKeyUsage: 'none' });
    for (const device of [p384, rsa]) {
      expect(
        codes({
          certificate: device.certificatePem,
          issuer: fleets.generic.certificatePem,
          profile: generic,
          at: CHECK_AT,
        }),
      ).toEqual([]);
    }
  });

  it('an RSA-signed chain', async () => {
    const rsaRoot = await createRootCa({ commonName: 'RSA Root', keyAlgorithm: 'RSA-2048', notBefore: ISSUED_AT });
    const device = await issueDeviceCertificate(rsaRoot, {
      subject: { commonName: 'rsa-device' },
      notBefore: ISSUED_AT,
    });
    expect(
      codes({ certificate: device.certificatePem, issuer: rsaRoot.certificatePem, profile: generic, at: CHECK_AT }),
    ).toEqual([]);
  });

  it('a certificate within the clock skew of its validity period', async () => {
    const device = await genericDevice({ notBefore: new Date(CHECK_AT.getTime() + 4 * 60_000), days: 1 });
    const input = { certificate: device.certificatePem, issuer: fleets.generic.certificatePem, profile: generic };
    expect(codes({ ...input, at: CHECK_AT })).toEqual([]);
    expect(codes({ ...input, at: CHECK_AT, clockSkewMs: 60_000 })).toEqual(['NOT_YET_VALID']);
    expect(codes({ ...input, at: new Date(CHECK_AT.getTime() + 86_400_000 + 8 * 60_000) })).toEqual([]);
  });
});

describe('validateDeviceCertificate rejects', () => {
  it('SIGNATURE_INVALID: a certificate whose signature was tampered with', async () => {
    const device = await genericDevice();
    expect(
      codes({
        certificate: tamperSignature(device.certificatePem),
        issuer: fleets.generic.certificatePem,
        profile: generic,
        at: CHECK_AT,
      }),
    ).toEqual(['SIGNATURE_INVALID']);
  });

  it('SIGNATURE_INVALID: a tampered intermediate', async () => {
    const device = await issueFleetDevice(fleets.microchip, { notBefore: ISSUED_AT });
    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: fleets.microchip.root!.certificatePem,
      intermediates: tamperSignature(fleets.microchip.certificatePem),
      profile: { profile: 'microchip' },
      at: CHECK_AT,
    });
    expect(result.reasons).toEqual([{ code: 'SIGNATURE_INVALID', message: expect.stringContaining('intermediate') }]);
  });

  it('ISSUER_MISMATCH: a device of another CA, and a chain missing its intermediate', async () => {
    const device = await genericDevice();
    const microchipDevice = await issueFleetDevice(fleets.microchip, { notBefore: ISSUED_AT });

    expect(
      codes({
        certificate: device.certificatePem,
        issuer: fleets.other.certificatePem,
        profile: generic,
        at: CHECK_AT,
      }),
    ).toEqual(['ISSUER_MISMATCH']);
    expect(
      codes({
        certificate: microchipDevice.certificatePem,
        issuer: fleets.microchip.root!.certificatePem,
        profile: { profile: 'microchip' },
        at: CHECK_AT,
      }),
    ).toEqual(['ISSUER_MISMATCH']);
  });

  it('ISSUER_MISMATCH: a chain through a certificate that is not a CA', async () => {
    const notCa = await genericDevice({ subject: { commonName: 'not-a-ca' } });
    const signedByDevice = await issueDeviceCertificate(
      { certificatePem: notCa.certificatePem, privateKeyPem: notCa.privateKeyPem!, certificateId: notCa.certificateId },
      { subject: { commonName: 'child' }, notBefore: ISSUED_AT },
    );

    const result = validateDeviceCertificate({
      certificate: signedByDevice.certificatePem,
      issuer: fleets.generic.certificatePem,
      intermediates: notCa.certificatePem,
      profile: generic,
      at: CHECK_AT,
    });

    expect(result.reasons.map((r) => r.message)).toEqual([
      expect.stringContaining('is not a CA certificate'),
      expect.stringContaining('does not allow signing certificates'),
    ]);
    expect(new Set(result.reasons.map((r) => r.code))).toEqual(new Set(['ISSUER_MISMATCH']));
  });

  it('ISSUER_MISMATCH: a chain longer than a path length allows', async () => {
    const root = await createRootCa({ commonName: 'Root', notBefore: ISSUED_AT });
    const signer = await createIntermediateCa(root, { commonName: 'Signer', notBefore: ISSUED_AT, pathLength: 0 });
    const sub = await createIntermediateCa(signer, { commonName: 'Sub', notBefore: ISSUED_AT });
    const device = await issueDeviceCertificate(sub, { subject: { commonName: 'deep' }, notBefore: ISSUED_AT });

    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: root.certificatePem,
      intermediates: [sub.certificatePem, signer.certificatePem],
      profile: generic,
      at: CHECK_AT,
    });

    expect(result.reasons).toEqual([
      { code: 'ISSUER_MISMATCH', message: expect.stringContaining('allows 0 intermediate(s)') },
    ]);
  });

  it('NOT_YET_VALID and EXPIRED, for the device and for its CA', async () => {
    const device = await genericDevice({ days: 30, notBefore: new Date('2026-02-01T00:00:00Z') });
    const input = { certificate: device.certificatePem, issuer: fleets.generic.certificatePem, profile: generic };
    const shortCa = await createRootCa({ commonName: 'Short', notBefore: ISSUED_AT, days: 10 });
    const underShortCa = await issueDeviceCertificate(shortCa, {
      subject: { commonName: 'd' },
      notBefore: new Date('2026-01-05T00:00:00Z'),
    });

    expect(codes({ ...input, at: new Date('2026-01-15T00:00:00Z') })).toEqual(['NOT_YET_VALID']);
    expect(codes({ ...input, at: CHECK_AT })).toEqual(['EXPIRED']);
    const caExpired = validateDeviceCertificate({
      certificate: underShortCa.certificatePem,
      issuer: shortCa.certificatePem,
      profile: generic,
      at: new Date('2026-02-01T00:00:00Z'),
    });
    expect(caExpired.reasons).toEqual([{ code: 'EXPIRED', message: expect.stringMatching(/^CA "CN=Short" expired/) }]);
  });

  it('NOT_YET_VALID when the check date itself is invalid, failing closed', async () => {
    const device = await genericDevice();
    expect(
      codes({
        certificate: device.certificatePem,
        issuer: fleets.generic.certificatePem,
        profile: generic,
        at: new Date('nonsense'),
      }),
    ).toEqual(['NOT_YET_VALID']);
  });

  it('CA_CERTIFICATE_AS_DEVICE: a CA certificate presented as a device', async () => {
    const device = await genericDevice({ isCa: true });
    expect(
      codes({
        certificate: device.certificatePem,
        issuer: fleets.generic.certificatePem,
        profile: generic,
        at: CHECK_AT,
      }),
    ).toEqual(['CA_CERTIFICATE_AS_DEVICE']);
  });

  it.each([
    ['RSA-1024', 'RSA 1024'],
    ['P-192', 'EC P-192'],
    ['secp256k1', 'EC secp256k1'],
    ['P-521', 'EC P-521'],
  ] as const)('WEAK_KEY: a %s key', async (keyAlgorithm, keyType) => {
    const device = await genericDevice({ keyAlgorithm });
    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: fleets.generic.certificatePem,
      profile: generic,
      at: CHECK_AT,
    });
    expect(result.reasons).toEqual([{ code: 'WEAK_KEY', message: expect.stringContaining(`the key is ${keyType};`) }]);
  });

  it('EKU_NOT_CLIENT_AUTH: a server certificate', async () => {
    const device = await genericDevice({ extendedKeyUsage: 'serverAuth' });
    expect(
      codes({
        certificate: device.certificatePem,
        issuer: fleets.generic.certificatePem,
        profile: generic,
        at: CHECK_AT,
      }),
    ).toEqual(['EKU_NOT_CLIENT_AUTH']);
  });

  it('DEVICE_ID_MISSING and DEVICE_ID_INVALID: an empty CN, a CN that makes no thing name, a CN off the pattern', async () => {
    const empty = await genericDevice({ subject: { commonName: '' } });
    const spaced = await genericDevice({ subject: { commonName: 'Hello World' } });
    const at = CHECK_AT;
    const issuer = fleets.generic.certificatePem;

    expect(codes({ certificate: empty.certificatePem, issuer, profile: generic, at })).toEqual(['DEVICE_ID_MISSING']);
    expect(codes({ certificate: spaced.certificatePem, issuer, profile: generic, at })).toEqual(['DEVICE_ID_INVALID']);
    expect(
      codes({
        certificate: spaced.certificatePem,
        issuer,
        profile: { profile: 'generic', pattern: '^dev-(\\d+)$' },
        at,
      }),
    ).toEqual(['DEVICE_ID_INVALID']);
    const fromPattern = validateDeviceCertificate({
      certificate: spaced.certificatePem,
      issuer,
      profile: { profile: 'generic', pattern: 'World$' },
      at,
    });
    expect(fromPattern.thingName).toBe('world');
  });

  it('TENANT_MISMATCH: another tenant, or an issuer that is no Azure Sphere tenant CA', async () => {
    const device = await issueFleetDevice(fleets.azureSphere, { notBefore: CHECK_AT });
    const plain = await genericDevice({ subject: { commonName: 'ab'.repeat(64) } });
    const otherTenant = { profile: 'azure-sphere', tenantId: '00000000-0000-0000-0000-000000000000' } as const;

    expect(
      codes({
        certificate: device.certificatePem,
        issuer: fleets.azureSphere.certificatePem,
        profile: otherTenant,
        at: CHECK_AT,
      }),
    ).toEqual(['TENANT_MISMATCH']);
    expect(
      codes({
        certificate: plain.certificatePem,
        issuer: fleets.generic.certificatePem,
        profile: { profile: 'azure-sphere' },
        at: CHECK_AT,
      }),
    ).toEqual(['TENANT_MISMATCH']);
  });

  it('DENIED: by device id, by serial number (any notation), by certificateId', async () => {
    const device = await genericDevice({ serialNumber: '0a1b2c3d4e' });
    const input = {
      certificate: device.certificatePem,
      issuer: fleets.generic.certificatePem,
      profile: generic,
      at: CHECK_AT,
    };

    expect(codes({ ...input, deny: createDenyList({ deviceIds: ['PUMP-7'] }) })).toEqual(['DENIED']);
    expect(codes({ ...input, deny: createDenyList({ serialNumbers: ['0A:1B:2C:3D:4E'] }) })).toEqual(['DENIED']);
    expect(codes({ ...input, deny: createDenyList({ certificateIds: [device.certificateId.toUpperCase()] }) })).toEqual(
      ['DENIED'],
    );
    expect(codes({ ...input, deny: createDenyList({ deviceIds: ['pump-8'], serialNumbers: ['0a1b2c3d4f'] }) })).toEqual(
      [],
    );
  });

  it('with every reason that applies, not only the first', async () => {
    const device = await issueDeviceCertificate(fleets.other, {
      subject: { commonName: 'Not A Device' },
      keyAlgorithm: 'RSA-1024',
      isCa: true,
      extendedKeyUsage: 'serverAuth',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      days: 1,
    });

    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: fleets.azureSphere.certificatePem,
      profile: { profile: 'azure-sphere', tenantId: TENANT_ID },
      at: CHECK_AT,
      deny: createDenyList({ certificateIds: [device.certificateId] }),
    });

    expect(result.verdict).toBe('reject');
    expect(result.reasons.map((r) => r.code)).toEqual([
      'ISSUER_MISMATCH',
      'EXPIRED',
      'CA_CERTIFICATE_AS_DEVICE',
      'WEAK_KEY',
      'EKU_NOT_CLIENT_AUTH',
      'TENANT_MISMATCH',
      'DEVICE_ID_INVALID',
      'DENIED',
    ]);
  });
});

describe('the reason codes', () => {
  it('each have a certificate that triggers exactly that code', async () => {
    const issuer = fleets.generic.certificatePem;
    const base = { issuer, profile: generic, at: CHECK_AT };
    const good = await genericDevice();
    // The path rules' cases come from openssl (the project's issuer cannot make an MD5 signature or a bad extension).
    const scratch = scratchDir('jitr-codes-');
    const make = new OpensslPathFactory(scratch);
    const rootKey = make.key('root');
    const root = make.certificate('root', { subject: '/CN=Codes Root', key: rootKey, extensions: CA_EXTENSIONS });
    const at = new Date(opensslNotBefore(root.path).getTime() + 3_600_000);
    const leafKey = make.key('leaf');
    const fromOpenssl = (extensions: string[], opts: { digest?: 'sha1'; issuer?: typeof root } = {}) => {
      const leaf = make.certificate(`leaf-${extensions.length}-${opts.digest ?? ''}`, {
        subject: '/CN=pump-8',
        key: leafKey,
        issuer: opts.issuer ?? root,
        extensions,
        ...(opts.digest ? { digest: opts.digest } : {}),
      });
      return async () => ({
        ...base,
        certificate: readFileSync(leaf.path, 'utf8'),
        issuer: readFileSync(root.path, 'utf8'),
        at,
      });
    };
    const constrained = make.certificate('constrained', {
      subject: '/O=Acme/CN=Constrained',
      key: make.key('constrained'),
      issuer: root,
      extensions: [...CA_EXTENSIONS, 'nameConstraints = critical,permitted;DNS:example.com'],
    });
    const requiring = make.certificate('requiring', {
      subject: '/CN=Requiring',
      key: make.key('requiring'),
      issuer: root,
      extensions: [...CA_EXTENSIONS, 'policyConstraints = critical,requireExplicitPolicy:0'],
    });
    const viaIntermediate = (issuer: typeof root, extensions: string[]) => {
      const leaf = make.certificate(`leaf-below-${issuer.path.length}`, {
        subject: '/CN=pump-9',
        key: leafKey,
        issuer,
        extensions,
      });
      return async () => ({
        ...base,
        certificate: readFileSync(leaf.path, 'utf8'),
        intermediates: readFileSync(issuer.path, 'utf8'),
        issuer: readFileSync(root.path, 'utf8'),
        at,
      });
    };
    const triggers: Record<ReasonCode, () => Promise<ValidationInput>> = {
      WEAK_SIGNATURE: fromOpenssl(DEVICE_EXTENSIONS, { digest: 'sha1' }),
      UNHANDLED_CRITICAL_EXTENSION: fromOpenssl([...DEVICE_EXTENSIONS, '1.3.6.1.4.1.55555.1 = critical,ASN1:NULL']),
      KEY_USAGE_INVALID: fromOpenssl(['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,keyEncipherment']),
      NAME_CONSTRAINTS_VIOLATED: viaIntermediate(constrained, [
        ...DEVICE_EXTENSIONS,
        'subjectAltName = DNS:pump.example.org',
      ]),
      POLICY_CONSTRAINTS_VIOLATED: viaIntermediate(requiring, DEVICE_EXTENSIONS),
      MALFORMED_CERTIFICATE: async () => ({ ...base, certificate: 'not a certificate' }),
      SIGNATURE_INVALID: async () => ({ ...base, certificate: tamperSignature(good.certificatePem) }),
      ISSUER_MISMATCH: async () => ({ ...base, certificate: good.certificatePem, issuer: fleets.other.certificatePem }),
      NOT_YET_VALID: async () => ({
        ...base,
        certificate: (await genericDevice({ notBefore: new Date('2026-07-01T00:00:00Z') })).certificatePem,
      }),
      EXPIRED: async () => ({ ...base, certificate: good.certificatePem, at: new Date('2027-06-01T00:00:00Z') }),
      CA_CERTIFICATE_AS_DEVICE: async () => ({
        ...base,
        certificate: (await genericDevice({ isCa: true })).certificatePem,
      }),
      WEAK_KEY: async () => ({
        ...base,
        certificate: (await genericDevice({ keyAlgorithm: 'RSA-1024' })).certificatePem,
      }),
      EKU_NOT_CLIENT_AUTH: async () => ({
        ...base,
        certificate: (await genericDevice({ extendedKeyUsage: 'serverAuth' })).certificatePem,
      }),
      DEVICE_ID_MISSING: async () => ({
        ...base,
        certificate: (await genericDevice({ subject: { commonName: '' } })).certificatePem,
      }),
      DEVICE_ID_INVALID: async () => ({
        ...base,
        certificate: (await genericDevice({ subject: { commonName: 'a b' } })).certificatePem,
      }),
      TENANT_MISMATCH: async () => ({
        ...base,
        certificate: (await genericDevice({ subject: { commonName: 'ab'.repeat(64) } })).certificatePem,
        profile: { profile: 'azure-sphere' },
      }),
      DENIED: async () => ({
        ...base,
        certificate: good.certificatePem,
        deny: createDenyList({ certificateIds: [good.certificateId] }),
      }),
    };

    expect(Object.keys(triggers).sort()).toEqual([...REASON_CODES].sort());
    for (const [code, trigger] of Object.entries(triggers)) {
      expect({ code, reasons: codes(await trigger()) }).toEqual({ code, reasons: [code] });
    }
    scratch.cleanup();
  });
});

describe('validateDeviceCertificate on malformed input', () => {
  const key =
    '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

  it.each([
    ['an empty input', ''],
    ['a truncated PEM', '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU'],
    ['a private key', key],
    ['binary garbage', new Uint8Array([0x30, 0x82, 0xff, 0xff, 1, 2, 3])],
    ['a PEM certificate with garbage inside', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
  ])('rejects %s as MALFORMED_CERTIFICATE without throwing', (_, certificate) => {
    const result = validateDeviceCertificate({
      certificate,
      issuer: fleets.generic.certificatePem,
      profile: generic,
      at: CHECK_AT,
    });
    expect(result.verdict).toBe('reject');
    expect(result.reasons).toEqual([
      { code: 'MALFORMED_CERTIFICATE', message: expect.stringMatching(/^device certificate: /) },
    ]);
    expect(result.certificateId).toBe('');
  });

  it('rejects an unreadable issuer, keeping the device certificateId', async () => {
    const device = await genericDevice();
    const result = validateDeviceCertificate({
      certificate: device.certificatePem,
      issuer: 'nope',
      profile: generic,
      at: CHECK_AT,
    });
    expect(result.reasons.map((r) => r.code)).toEqual(['MALFORMED_CERTIFICATE']);
    expect(result.certificateId).toBe(device.certificateId);
  });

  it('never throws, whatever bytes or text it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string({ maxLength: 300 })), (certificate) => {
        const result = validateDeviceCertificate({
          certificate,
          issuer: fleets.generic.certificatePem,
          profile: generic,
          at: CHECK_AT,
        });
        expect(result.verdict).toBe('reject');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a real certificate with any single byte changed, without throwing', async () => {
    const device = await genericDevice();
    const der = parseCertificate(device.certificatePem).der;
    const accepted: string[] = [];
    for (let index = 0; index < der.length; index++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const copy = Uint8Array.from(der);
        copy[index] = (copy[index] ?? 0) ^ flip;
        const result = validateDeviceCertificate({
          certificate: copy,
          issuer: fleets.generic.certificatePem,
          profile: generic,
          at: CHECK_AT,
        });
        if (result.verdict !== 'reject') accepted.push(`byte ${index} ^ ${flip}`);
      }
    }
    expect(accepted).toEqual([]);
  });
});
