import { beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, readTlv } from '../../../certs/der.js';
import {
  attributeValues,
  authorityKeyIdentifier,
  basicConstraints,
  type CertificateFields,
  extendedKeyUsages,
  fieldsOf,
  formatName,
  mayIssueCertificates,
  readCertificateFields,
  sameName,
  subjectKeyIdentifier,
} from '../../../certs/fields.js';
import { createIntermediateCa, createRootCa, issueDeviceCertificate } from '../../../certs/issue.js';
import { parseCertificate } from '../../../certs/parse.js';
import { ISSUED_AT } from './fixtures.js';

let root: CertificateFields;
let signer: CertificateFields;
let device: CertificateFields;
let deviceDer: Uint8Array;

beforeAll(async () => {
  const rootCa = await createRootCa({
    commonName: 'Fields Root',
    organization: 'Acme, Inc.',
    notBefore: ISSUED_AT,
    days: 10,
  });
  const signerCa = await createIntermediateCa(rootCa, { commonName: 'Fields Signer', notBefore: ISSUED_AT });
  const issued = await issueDeviceCertificate(signerCa, {
    subject: { commonName: 'dev=1+x', organization: 'Acme' },
    notBefore: ISSUED_AT,
    days: 2,
    serialNumber: '00ff01',
  });
  root = fieldsOf(parseCertificate(rootCa.certificatePem).der);
  signer = fieldsOf(parseCertificate(signerCa.certificatePem).der);
  deviceDer = parseCertificate(issued.certificatePem).der;
  device = readCertificateFields(deviceDer);
});

describe('readCertificateFields', () => {
  it('reads serial, names, dates and key identifiers', () => {
    expect(device.serialNumber).toBe('ff01');
    expect(attributeValues(device.subject, 'CN')).toEqual(['dev=1+x']);
    expect(attributeValues(device.subject, 'O')).toEqual(['Acme']);
    expect(device.notBefore.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(device.notAfter.toISOString()).toBe('2026-01-03T00:00:00.000Z');
    expect(authorityKeyIdentifier(device)).toBe(subjectKeyIdentifier(signer));
    expect(authorityKeyIdentifier(root)).toBeUndefined();
    expect(device.signatureAlgorithm).toBe('1.2.840.10045.4.3.2');
    expect(device.signatureAlgorithmsAgree).toBe(true);
  });

  it('reads basic constraints, key usage and EKU', () => {
    expect(basicConstraints(root)).toEqual({ ca: true });
    expect(basicConstraints(signer)).toEqual({ ca: true, pathLength: 0 });
    expect(basicConstraints(device)).toEqual({ ca: false });
    expect(basicConstraints({ ...device, extensions: new Map() })).toEqual({ ca: false });
    expect(mayIssueCertificates(signer)).toBe(true);
    expect(mayIssueCertificates(device)).toBe(false);
    expect(mayIssueCertificates({ ...device, extensions: new Map() })).toBe(true);
    expect(extendedKeyUsages(device)).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(extendedKeyUsages(root)).toBeUndefined();
  });

  it('remembers the fields per DER buffer', () => {
    expect(fieldsOf(deviceDer)).toBe(fieldsOf(deviceDer));
  });

  it('refuses a certificate with trailing elements or a signature with unused bits', () => {
    const extra = Buffer.from(deviceDer);
    const withTrailing = Buffer.concat([Buffer.from([0x30, 0x82, 0, 0]), extra.subarray(4), Buffer.from([0x05, 0x00])]);
    withTrailing.writeUInt16BE(extra.length - 4 + 2, 2);
    expect(() => readCertificateFields(withTrailing)).toThrow(/not a Certificate/);
    const unused = Uint8Array.from(deviceDer);
    const [, , signature] = childrenOf(unused, readTlv(unused, 0));
    unused[signature!.contentStart] = 1;
    expect(() => readCertificateFields(unused)).toThrow(/unused bits/);
  });
});

describe('formatName', () => {
  it('writes certificate order and escapes RFC 4514 specials', () => {
    expect(formatName(device.subject)).toBe('O=Acme, CN=dev\\=1\\+x');
    expect(formatName(root.subject)).toBe('O=Acme\\, Inc., CN=Fields Root');
    expect(formatName([{ oid: '2.5.4.3', name: 'CN', value: 'a\nINFO forged\u007f' }])).toBe('CN=a\\0aINFO forged\\7f');
  });
});

describe('sameName', () => {
  it('matches byte-equal names and names equal after case and space folding, nothing else', () => {
    const upper = {
      ...signer,
      subject: signer.subject.map((a) => ({ ...a, value: `  ${a.value.toUpperCase().replace(' ', '   ')} ` })),
      subjectDer: new Uint8Array([0x30, 0x00]),
    };
    expect(sameName(device, signer)).toBe(true);
    expect(sameName(device, upper)).toBe(true);
    expect(sameName(device, root)).toBe(false);
  });
});
