import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MalformedCertificateError } from '../../../certs/errors.js';
import { createRootCa, type IssuedCa, issueDeviceCertificate } from '../../../certs/issue.js';
import { certificateId, parseCertificate, parseCertificates, toPem } from '../../../certs/parse.js';
import { ISSUED_AT } from './fixtures.js';

let ca: IssuedCa;
let devicePem: string;
let deviceDer: Uint8Array;

beforeAll(async () => {
  ca = await createRootCa({ commonName: 'Parse CA', notBefore: ISSUED_AT });
  devicePem = (await issueDeviceCertificate(ca, { subject: { commonName: 'parse-me' }, notBefore: ISSUED_AT }))
    .certificatePem;
  deviceDer = Buffer.from(devicePem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
});

describe('parseCertificates', () => {
  it('reads a PEM bundle in order, with text around and CRLF line ends', () => {
    const bundle = `device:\r\n${devicePem.replaceAll('\n', '\r\n')}\r\nissuer:\n${ca.certificatePem}trailing words`;

    const certificates = parseCertificates(bundle);

    expect(certificates.map((c) => c.certificateId)).toEqual([certificateId(deviceDer), ca.certificateId]);
    expect(certificates[0]?.x509.subject).toBe('CN=parse-me');
  });

  it('reads DER, a single certificate or several concatenated', () => {
    const caDer = parseCertificate(ca.certificatePem).der;
    const bundle = Buffer.concat([deviceDer, caDer]);

    expect(parseCertificate(deviceDer).certificateId).toBe(certificateId(deviceDer));
    expect(parseCertificates(bundle).map((c) => c.certificateId)).toEqual([certificateId(deviceDer), ca.certificateId]);
  });

  it('keeps PEM blocks of other kinds out, and takes the certificate after a key', async () => {
    const device = await issueDeviceCertificate(ca, { subject: { commonName: 'with-key' } });
    const [only] = parseCertificates(`${device.privateKeyPem}${device.certificatePem}`);
    expect(only?.certificateId).toBe(device.certificateId);
  });

  it.each([
    ['empty input', '', /empty/],
    ['a truncated PEM', '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ1', /no complete PEM certificate/],
    ['a private key only', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /found: PRIVATE KEY/],
    ['a PEM body that is not base64', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', /not base64/],
    [
      'a PEM body that is not a certificate',
      '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n',
      /not a valid X.509/,
    ],
    ['binary garbage', new Uint8Array([0xde, 0xad, 0xbe, 0xef]), /does not start with an ASN.1 SEQUENCE/],
    ['a truncated DER certificate', new Uint8Array([0x30, 0x82, 0x01, 0x00, 0x01]), /truncated/],
  ])('refuses %s with MALFORMED_CERTIFICATE', (_, input, message) => {
    expect(() => parseCertificates(input)).toThrow(message);
    try {
      parseCertificates(input);
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedCertificateError);
      expect((error as MalformedCertificateError).code).toBe('MALFORMED_CERTIFICATE');
    }
  });

  it('throws only MalformedCertificateError on arbitrary bytes and text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 })), (input) => {
        try {
          parseCertificates(input);
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedCertificateError);
        }
      }),
    );
  });

  it('refuses every truncation of a PEM certificate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: devicePem.length - 30 }), (length) => {
        expect(() => parseCertificates(devicePem.slice(0, length))).toThrow(MalformedCertificateError);
      }),
    );
  });

  it('finds the same certificateId however the base64 is wrapped or indented', () => {
    const base64 = Buffer.from(deviceDer).toString('base64');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.constantFrom('\n', '\r\n', '\n  '), (width, separator) => {
        const lines = base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
        const pem = `-----BEGIN CERTIFICATE-----${separator}${lines.join(separator)}${separator}-----END CERTIFICATE-----`;
        expect(parseCertificate(pem).certificateId).toBe(certificateId(deviceDer));
      }),
    );
  });

  it('refuses a certificate followed by trailing bytes, in DER and inside a PEM block', () => {
    const padded = Buffer.concat([deviceDer, Buffer.from([0x00, 0x00])]);
    const pem = toPem(padded);
    expect(() => parseCertificates(padded)).toThrow(MalformedCertificateError);
    expect(() => parseCertificate(pem)).toThrow(/2 byte\(s\) follow the certificate/);
    expect(() => parseCertificate(pem)).toThrow(MalformedCertificateError);
    expect(parseCertificate(toPem(deviceDer)).certificateId).toBe(certificateId(deviceDer));
  });
});

describe('toPem', () => {
  it('writes 64-column PEM that parses back to the same DER', () => {
    const pem = toPem(deviceDer);
    expect(
      pem
        .split('\n')
        .slice(1, -2)
        .every((line) => line.length <= 64),
    ).toBe(true);
    expect(Buffer.from(parseCertificate(pem).der).equals(Buffer.from(deviceDer))).toBe(true);
  });
});
