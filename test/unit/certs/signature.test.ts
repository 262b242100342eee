import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldsOf } from '../../../certs/fields.js';
import { createRootCa, type IssuedCa, issueDeviceCertificate } from '../../../certs/issue.js';
import { signingKeyFromPem } from '../../../certs/keygen.js';
import { type LoadedCertificate, parseCertificate } from '../../../certs/parse.js';
import { publicKeyFromSpki, verifyCertificateSignature } from '../../../certs/signature.js';

let ca: IssuedCa;
let device: LoadedCertificate;

beforeAll(async () => {
  ca = await createRootCa({ commonName: 'Sig CA' });
  device = parseCertificate((await issueDeviceCertificate(ca, { subject: { commonName: 'sig' } })).certificatePem);
});

describe('verifyCertificateSignature', () => {
  it('verifies with the issuer key and not with another key or another key type', () => {
    const fields = fieldsOf(device.der);
    const issuerKey = parseCertificate(ca.certificatePem).x509.publicKey;
    const otherEc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;

    expect(verifyCertificateSignature(device, fields, issuerKey)).toBe(true);
    expect(verifyCertificateSignature(device, fields, otherEc)).toBe(false);
    expect(verifyCertificateSignature(device, fields, rsa)).toBe(false);
    expect(verifyCertificateSignature(device, { ...fields, signatureAlgorithmsAgree: false }, issuerKey)).toBe(false);
  });
});

describe('publicKeyFromSpki', () => {
  it('returns undefined for bytes that are no public key', () => {
    expect(publicKeyFromSpki(new Uint8Array([0x30, 0x00]))).toBeUndefined();
  });
});

describe('signingKeyFromPem', () => {
  it('refuses a PEM that is no private key', async () => {
    await expect(signingKeyFromPem('garbage')).rejects.toMatchObject({ code: 'INVALID_PRIVATE_KEY' });
  });
});
