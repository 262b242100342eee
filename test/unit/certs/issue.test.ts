import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  caKeyMatches,
  createIntermediateCa,
  createRootCa,
  createVerificationCertificate,
  issueDeviceCertificate,
  randomSerialNumber,
} from '../../../certs/issue.js';
import { openssl, opensslFingerprint, opensslText, opensslVerify, scratchDir } from '../../helpers/openssl.js';

const issuedAt = new Date('2026-01-01T00:00:00Z');
const checkAt = new Date('2026-06-01T00:00:00Z');
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('createRootCa', () => {
  it('makes a self-signed CA that openssl trusts, with critical CA basic constraints and certificate-signing key usage', async () => {
    const root = await createRootCa({ commonName: 'Test Root', organization: 'Acme', notBefore: issuedAt, days: 365 });
    const path = scratch.write('root.pem', root.certificatePem);

    const text = opensslText(path);
    expect(text).toMatch(/Subject: O = Acme, CN = Test Root/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE\n/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/Subject Key Identifier/);
    expect(text).toMatch(/Not After : Jan {2}1 00:00:00 2027 GMT/);
    expect(opensslVerify({ caFile: path, certificate: path, at: checkAt }).ok).toBe(true);
    expect(root.certificateId).toBe(opensslFingerprint(path));
    expect(root.chainPem).toBe(root.certificatePem);
    expect(caKeyMatches(root)).toBe(true);
  });

  it('makes RSA CAs when asked', async () => {
    const root = await createRootCa({ commonName: 'RSA Root', keyAlgorithm: 'RSA-2048', notBefore: issuedAt });
    const path = scratch.write('rsa-root.pem', root.certificatePem);
    expect(opensslText(path)).toMatch(/Public-Key: \(2048 bit\)/);
    expect(opensslVerify({ caFile: path, certificate: path, at: checkAt }).ok).toBe(true);
  });

  it('refuses a key that cannot sign certificates', async () => {
    await expect(createRootCa({ commonName: 'Weak', keyAlgorithm: 'secp256k1' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_KEY',
    });
  });

  it('refuses a non-positive validity', async () => {
    await expect(createRootCa({ commonName: 'Never', days: 0 })).rejects.toMatchObject({ code: 'INVALID_VALIDITY' });
  });
});

describe('createIntermediateCa', () => {
  it('makes a path-length-0 signer whose chain openssl verifies up to the root', async () => {
    const root = await createRootCa({ commonName: 'Root', notBefore: issuedAt });
    const signer = await createIntermediateCa(root, {
      commonName: 'Signer',
      notBefore: issuedAt,
      keyAlgorithm: 'P-384',
    });
    const rootPath = scratch.write('i-root.pem', root.certificatePem);
    const signerPath = scratch.write('i-signer.pem', signer.certificatePem);

    const text = opensslText(signerPath);
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Authority Key Identifier/);
    expect(text).toMatch(/ASN1 OID: secp384r1/);
    expect(opensslVerify({ caFile: rootPath, certificate: signerPath, at: checkAt }).ok).toBe(true);
    expect(signer.chainPem).toBe(signer.certificatePem + root.certificatePem);
  });

  it('honours an explicit path length', async () => {
    const root = await createRootCa({ commonName: 'Root', notBefore: issuedAt });
    const ca = await createIntermediateCa(root, { commonName: 'Mid', pathLength: 2, notBefore: issuedAt });
    expect(opensslText(scratch.write('mid.pem', ca.certificatePem))).toMatch(/CA:TRUE, pathlen:2/);
  });
});

describe('createVerificationCertificate', () => {
  it('puts the registration code in the subject CN and signs with the CA key, not its own', async () => {
    const ca = await createRootCa({ commonName: 'Fleet', notBefore: issuedAt });
    const code = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

    const verification = await createVerificationCertificate(ca, code);

    const certificate = new X509Certificate(verification.certificatePem);
    const caCertificate = new X509Certificate(ca.certificatePem);
    expect(certificate.subject).toBe(`CN=${code}`);
    expect(certificate.verify(caCertificate.publicKey)).toBe(true);
    expect(certificate.publicKey.equals(caCertificate.publicKey)).toBe(false);
    expect(certificate.ca).toBe(false);
  });

  it('refuses an empty registration code', async () => {
    const ca = await createRootCa({ commonName: 'Fleet' });
    await expect(createVerificationCertificate(ca, ' ')).rejects.toMatchObject({ code: 'INVALID_SUBJECT' });
  });
});

describe('issueDeviceCertificate', () => {
  it('issues a clientAuth device certificate that openssl verifies for TLS client use', async () => {
    const ca = await createRootCa({ commonName: 'Fleet', notBefore: issuedAt });
    const device = await issueDeviceCertificate(ca, {
      subject: { commonName: 'device-1', organization: 'Acme' },
      notBefore: issuedAt,
      days: 30,
    });
    const caPath = scratch.write('d-ca.pem', ca.certificatePem);
    const devicePath = scratch.write('d-device.pem', device.certificatePem);

    const text = opensslText(devicePath);
    expect(text).toMatch(/Subject: O = Acme, CN = device-1/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toMatch(/Subject Key Identifier/);
    expect(opensslVerify({ caFile: caPath, certificate: devicePath, at: checkAt, purpose: 'sslclient' }).ok).toBe(
      false,
    );
    expect(opensslVerify({ caFile: caPath, certificate: devicePath, at: issuedAt, purpose: 'sslclient' }).ok).toBe(
      true,
    );
    expect(device.certificateId).toBe(opensslFingerprint(devicePath));
    expect(device.chainPem).toBe(device.certificatePem + ca.certificatePem);
    expect(device.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(
      new X509Certificate(device.certificatePem).checkPrivateKey(
        (await import('node:crypto')).createPrivateKey(device.privateKeyPem!),
      ),
    ).toBe(true);
  });

  it('issues for the key of an openssl CSR and returns no private key', async () => {
    const ca = await createRootCa({ commonName: 'Fleet', notBefore: issuedAt });
    const keyPath = scratch.write(
      'csr.key',
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
    );
    const csrPem = openssl(['req', '-new', '-key', keyPath, '-subj', '/CN=ignored']);

    const device = await issueDeviceCertificate(ca, {
      subject: { commonName: 'from-csr' },
      csrPem,
      notBefore: issuedAt,
    });

    expect(device.privateKeyPem).toBeUndefined();
    const certificate = new X509Certificate(device.certificatePem);
    expect(certificate.subject).toBe('CN=from-csr');
    const { createPrivateKey } = await import('node:crypto');
    expect(certificate.checkPrivateKey(createPrivateKey(openssl(['pkey', '-in', keyPath])))).toBe(true);
  });

  it('rejects a CSR that is not a CSR or whose signature is broken', async () => {
    const ca = await createRootCa({ commonName: 'Fleet' });
    const keyPath = scratch.write(
      'bad-csr.key',
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
    );
    const csrDer = Buffer.from(
      openssl(['req', '-new', '-key', keyPath, '-subj', '/CN=x', '-outform', 'PEM']).replace(/-----[^-]+-----/g, ''),
      'base64',
    );
    csrDer[csrDer.length - 3] = (csrDer[csrDer.length - 3] ?? 0) ^ 0xff;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${csrDer.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

    await expect(
      issueDeviceCertificate(ca, { subject: { commonName: 'x' }, csrPem: 'nonsense' }),
    ).rejects.toMatchObject({
      code: 'INVALID_CSR',
    });
    await expect(issueDeviceCertificate(ca, { subject: { commonName: 'x' }, csrPem: tampered })).rejects.toMatchObject({
      code: 'INVALID_CSR',
    });
  });

  it('makes the deliberately bad certificates tests need: weak keys, no EKU, server EKU, CA flag, fixed serial, no SKI', async () => {
    const ca = await createRootCa({ commonName: 'Fleet', notBefore: issuedAt });
    const subject = { commonName: 'bad' };

    const p192 = await issueDeviceCertificate(ca, { subject, keyAlgorithm: 'P-192' });
    const k1 = await issueDeviceCertificate(ca, { subject, keyAlgorithm: 'secp256k1' });
    const rsa1024 = await issueDeviceCertificate(ca, { subject, keyAlgorithm: 'RSA-1024' });
    const noEku = await issueDeviceCertificate(ca, { subject, extendedKeyUsage: 'none', subjectKeyIdentifier: false });
    const server = await issueDeviceCertificate(ca, { subject, extendedKeyUsage: 'serverAuth' });
    const asCa = await issueDeviceCertificate(ca, { subject, isCa: true, serialNumber: '0abc' });

    expect(opensslText(scratch.write('p192.pem', p192.certificatePem))).toMatch(/prime192v1/);
    expect(opensslText(scratch.write('k1.pem', k1.certificatePem))).toMatch(/secp256k1/);
    expect(opensslText(scratch.write('rsa1024.pem', rsa1024.certificatePem))).toMatch(/\(1024 bit\)/);
    const noEkuText = opensslText(scratch.write('noeku.pem', noEku.certificatePem));
    expect(noEkuText).not.toMatch(/Extended Key Usage|Subject Key Identifier/);
    expect(opensslText(scratch.write('server.pem', server.certificatePem))).toMatch(/TLS Web Server Authentication/);
    const asCaText = opensslText(scratch.write('asca.pem', asCa.certificatePem));
    expect(asCaText).toMatch(/CA:TRUE/);
    expect(new X509Certificate(asCa.certificatePem).serialNumber).toBe('0ABC');
  });
});

describe('randomSerialNumber', () => {
  it('makes distinct positive 16-byte serials', () => {
    const serials = new Set(Array.from({ length: 50 }, randomSerialNumber));
    expect(serials.size).toBe(50);
    for (const serial of serials) {
      expect(serial).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
    }
  });
});

describe('caKeyMatches', () => {
  it('tells a CA whose key belongs to another certificate', async () => {
    const one = await createRootCa({ commonName: 'One' });
    const two = await createRootCa({ commonName: 'Two' });
    expect(caKeyMatches({ ...one, privateKeyPem: two.privateKeyPem })).toBe(false);
    expect(caKeyMatches({ ...one, privateKeyPem: 'garbage' })).toBe(false);
  });
});
