import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDeviceCertificate } from '../../../certs/issue.js';
import { parseCertificate } from '../../../certs/parse.js';
import { thingNameFor } from '../../../certs/profiles.js';
import { summarizeCertificate } from '../../../certs/summary.js';
import { type ValidationInput, validateDeviceCertificate } from '../../../certs/validate.js';
import {
  OpensslFactory,
  opensslFingerprint,
  opensslNotBefore,
  opensslText,
  opensslVerify,
  scratchDir,
} from '../../helpers/openssl.js';

// Certificates made by openssl at test time: our reading of them must agree with openssl's own.
const scratch = scratchDir('jitr-openssl-');
afterAll(() => scratch.cleanup());
const factory = new OpensslFactory(scratch);
const read = (path: string) => readFileSync(path, 'utf8');
const TENANT = '9d7e0f5c-1b2a-4c3d-8e9f-0a1b2c3d4e5f';
const AZURE_ID = 'A1B2C3D4E5F60718'.repeat(8);

let rootKey: string;
let root: string;
let signerKey: string;
let signer: string;
let at: Date;

function ski(path: string): string {
  return /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(opensslText(path))![1]!.replaceAll(':', '').toLowerCase();
}

function validate(certificate: string, issuer: string, rest: Partial<ValidationInput> = {}) {
  return validateDeviceCertificate({
    certificate: read(certificate),
    issuer: read(issuer),
    profile: { profile: 'generic' },
    at,
    ...rest,
  });
}

beforeAll(() => {
  rootKey = factory.key('root');
  root = factory.root('root', '/O=Interop/CN=OpenSSL Root', rootKey);
  signerKey = factory.key('signer');
  signer = factory.issue('signer', {
    subject: '/O=Interop/CN=OpenSSL Signer',
    key: signerKey,
    caCert: root,
    caKey: rootKey,
    profile: 'signer',
  });
  // The check date comes from the certificates themselves, never from the clock at check time.
  at = new Date(opensslNotBefore(root).getTime() + 3_600_000);
});

describe('certificates made by openssl', () => {
  it('have the certificateId openssl prints as the SHA-256 fingerprint', () => {
    const device = factory.issue('fp', {
      subject: '/CN=fp-device',
      key: factory.key('fp'),
      caCert: root,
      caKey: rootKey,
      profile: 'device',
    });
    for (const path of [root, signer, device]) {
      expect(parseCertificate(read(path)).certificateId).toBe(opensslFingerprint(path));
      expect(summarizeCertificate(parseCertificate(read(path))).certificateId).toBe(opensslFingerprint(path));
    }
  });

  it('are accepted when openssl verify accepts the chain: EC device through a path-length-0 signer', () => {
    const device = factory.issue('ec', {
      subject: '/O=Acme/CN=Sensor-9',
      key: factory.key('ec'),
      caCert: signer,
      caKey: signerKey,
      profile: 'device',
    });

    expect(opensslVerify({ caFile: root, untrusted: signer, certificate: device, at, purpose: 'sslclient' }).ok).toBe(
      true,
    );
    const result = validate(device, root, { intermediates: read(signer) });
    expect(result).toMatchObject({ verdict: 'accept', reasons: [], thingName: 'sensor-9' });
    expect(validate(device, signer).verdict).toBe('accept');
  });

  it('are accepted with RSA keys and with RSA-PSS signatures', () => {
    const rsaRootKey = factory.key('rsa-root', 'RSA');
    const rsaRoot = factory.root('rsa-root', '/CN=RSA Root', rsaRootKey);
    const pkcs1 = factory.issue('rsa', {
      subject: '/CN=rsa-dev',
      key: factory.key('rsa', 'RSA'),
      caCert: rsaRoot,
      caKey: rsaRootKey,
      profile: 'device',
    });
    const pss = factory.issue('pss', {
      subject: '/CN=pss-dev',
      key: factory.key('pss'),
      caCert: rsaRoot,
      caKey: rsaRootKey,
      profile: 'device',
      sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32'],
    });

    expect(opensslText(pss)).toMatch(/rsassaPss/);
    for (const device of [pkcs1, pss]) {
      expect(opensslVerify({ caFile: rsaRoot, certificate: device, at }).ok).toBe(true);
      expect(validate(device, rsaRoot).reasons).toEqual([]);
    }
  });

  it('are rejected when openssl verify rejects them: wrong CA, expired', () => {
    const otherKey = factory.key('other');
    const other = factory.root('other', '/CN=Other Root', otherKey);
    const device = factory.issue('short', {
      subject: '/CN=short',
      key: factory.key('short'),
      caCert: root,
      caKey: rootKey,
      profile: 'device',
      days: 1,
    });
    const later = new Date(at.getTime() + 3 * 86_400_000);

    expect(opensslVerify({ caFile: other, certificate: device, at }).ok).toBe(false);
    expect(validate(device, other).reasons.map((r) => r.code)).toEqual(['ISSUER_MISMATCH']);
    expect(opensslVerify({ caFile: root, certificate: device, at: later }).ok).toBe(false);
    expect(validate(device, root, { at: later }).reasons.map((r) => r.code)).toEqual(['EXPIRED']);
  });

  it('give microchip thing names equal to the SKI openssl prints, or to its SHA-1 method when the extension is absent', () => {
    const key = factory.key('mc');
    const withSki = factory.issue('mc-ski', {
      subject: '/O=Microchip Technology Inc/CN=sn0123456789ABCDEF01',
      key,
      caCert: signer,
      caKey: signerKey,
      profile: 'device',
    });
    const withoutSki = factory.issue('mc-noski', {
      subject: '/O=Microchip Technology Inc/CN=sn0123456789ABCDEF01',
      key,
      caCert: signer,
      caKey: signerKey,
      profile: 'device_no_ski',
    });
    const profile = { profile: 'microchip' } as const;

    expect(opensslText(withoutSki)).not.toMatch(/Subject Key Identifier/);
    expect(thingNameFor(profile, parseCertificate(read(withSki)))).toBe(ski(withSki));
    // openssl's `subjectKeyIdentifier=hash` is RFC 5280 method 1: the same key must give the same name without the extension.
    expect(thingNameFor('microchip', parseCertificate(read(withoutSki)))).toBe(ski(withSki));
    expect(validate(withoutSki, signer, { profile }).thingName).toBe(ski(withSki));
  });

  it('read the tenant from an openssl tenant CA and name azure-sphere things from the 128-hex CN', async () => {
    const tenantKey = factory.key('tenant');
    const tenantCa = factory.root('tenant', `/CN=Microsoft Azure Sphere ${TENANT}`, tenantKey);
    // openssl refuses a CN over 64 characters (the X.520 upper bound Azure Sphere device ids exceed), so the device
    // certificate is signed by our issuer with the openssl CA's key, and openssl verifies it.
    const ca = {
      certificatePem: read(tenantCa),
      privateKeyPem: read(tenantKey),
      certificateId: opensslFingerprint(tenantCa),
    };
    const issued = await issueDeviceCertificate(ca, { subject: { commonName: AZURE_ID }, notBefore: at });
    const device = scratch.write('az.cert.pem', issued.certificatePem);

    const result = validate(device, tenantCa, { profile: { profile: 'azure-sphere', tenantId: TENANT } });

    expect(opensslVerify({ caFile: tenantCa, certificate: device, at: new Date(at.getTime() + 60_000) }).ok).toBe(true);
    expect(result).toMatchObject({
      verdict: 'accept',
      deviceId: AZURE_ID.toLowerCase(),
      thingName: AZURE_ID.toLowerCase(),
      tenantId: TENANT,
    });
  });

  it('report DEVICE_ID_MISSING, EKU_NOT_CLIENT_AUTH and WEAK_KEY like ours do', () => {
    const noCn = factory.issue('nocn', {
      subject: '/O=Acme',
      key: factory.key('nocn'),
      caCert: root,
      caKey: rootKey,
      profile: 'device',
    });
    const server = factory.issue('server', {
      subject: '/CN=server',
      key: factory.key('server'),
      caCert: root,
      caKey: rootKey,
      profile: 'device_server',
    });
    const weak = factory.issue('weak', {
      subject: '/CN=weak',
      key: factory.key('weak', 'RSA-1024'),
      caCert: root,
      caKey: rootKey,
      profile: 'device',
    });

    expect(validate(noCn, root).reasons.map((r) => r.code)).toEqual(['DEVICE_ID_MISSING']);
    expect(validate(server, root).reasons.map((r) => r.code)).toEqual(['EKU_NOT_CLIENT_AUTH']);
    expect(validate(weak, root).reasons.map((r) => r.code)).toEqual(['WEAK_KEY']);
  });
});
