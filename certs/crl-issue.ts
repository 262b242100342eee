import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CRL_REASONS, type CrlReason } from './crl.js';
import { normaliseSerialNumber } from './deny.js';
import { CertificateError } from './errors.js';
import type { IssuedCa } from './issue.js';
import { signingKeyFromPem } from './keygen.js';
import { parseCertificate } from './parse.js';

/** One revoked certificate as a CA owner records it (`jitr ca revoke`). */
export interface RevocationInput {
  serialNumber: string;
  revokedAt: Date;
  reason?: CrlReason;
}

export interface IssuedCrl {
  der: Uint8Array;
  pem: string;
}

/** The reasons a CA owner may put on an entry (removeFromCRL belongs to delta CRLs, which jitr does not process). */
export const ENTRY_REASONS = CRL_REASONS.filter((reason) => reason !== 'unused7' && reason !== 'removeFromCRL');

/** A DER INTEGER's contents for a non-negative hex number (a leading 00 keeps the high bit from making it negative). */
function integerBytes(hex: string): Uint8Array {
  let digits = normaliseSerialNumber(hex);
  if (!/^[0-9a-f]+$/.test(digits)) throw new CertificateError('INVALID_SERIAL_NUMBER', `${hex} is not a hex number`);
  if (digits.length % 2) digits = `0${digits}`;
  if (Number.parseInt(digits.slice(0, 2), 16) & 0x80) digits = `00${digits}`;
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 5.1.2.4). */
function timeOf(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

/*
 * pkijs bundles its own copy of asn1js: values cross between the two as DER bytes, never as objects (an `instanceof`
 * of one copy fails on the other's objects).
 */
function extension(extnID: string, value: { toBER(sizeOnly?: boolean): ArrayBuffer }): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical: false, extnValue: value.toBER(false) });
}

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } (4.2.1.1). */
function authorityKeyIdentifier(keyIdentifier: Uint8Array): asn1js.Sequence {
  const tagged = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyIdentifier });
  return new asn1js.Sequence({ value: [tagged] });
}

/** revokedCertificates entry (5.1.2.6): userCertificate, revocationDate, and the reasonCode unless unspecified. */
function revokedCertificate(entry: RevocationInput): pkijs.RevokedCertificate {
  const reasonCode = entry.reason ? CRL_REASONS.indexOf(entry.reason) : 0;
  const date = entry.revokedAt;
  const time =
    date.getUTCFullYear() < 2050
      ? new asn1js.UTCTime({ valueDate: date })
      : new asn1js.GeneralizedTime({ valueDate: date });
  const fields: asn1js.AsnType[] = [new asn1js.Integer({ valueHex: integerBytes(entry.serialNumber) }), time];
  if (reasonCode > 0) {
    const reason = new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: pkijs.id_CRLReason }),
        new asn1js.OctetString({ valueHex: new asn1js.Enumerated({ value: reasonCode }).toBER(false) }),
      ],
    });
    fields.push(new asn1js.Sequence({ value: [reason] }));
  }
  return pkijs.RevokedCertificate.fromBER(new asn1js.Sequence({ value: fields }).toBER(false));
}

/** The CA's subjectKeyIdentifier, or RFC 5280 4.2.1.2 method 1 (SHA-1 of the key bits) for a CA without one. */
function keyIdentifierOf(ca: pkijs.Certificate): Uint8Array {
  const ski = ca.extensions?.find((e) => e.extnID === pkijs.id_SubjectKeyIdentifier);
  if (ski) {
    const parsed = asn1js.fromBER(ski.extnValue.valueBlock.valueHexView).result;
    if (parsed instanceof asn1js.OctetString) return parsed.valueBlock.valueHexView.slice();
  }
  const bits = ca.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha1').update(bits).digest());
}

function pemOf(der: Uint8Array): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN X509 CRL-----\n${body}-----END X509 CRL-----\n`;
}

/**
 * Signs a complete CRL (RFC 5280 5.1) with the CA's key using pkijs: version 2, the CA's subject as issuer,
 * thisUpdate/nextUpdate, the authorityKeyIdentifier and cRLNumber extensions (both MUST per 5.2), one entry per
 * revocation with its reasonCode (omitted for `unspecified`, as 5.3.1 recommends), no revokedCertificates when empty.
 */
export async function issueCrl(
  ca: IssuedCa,
  opts: { entries: RevocationInput[]; thisUpdate: Date; nextUpdate: Date; crlNumber: bigint },
): Promise<IssuedCrl> {
  if (opts.nextUpdate.getTime() <= opts.thisUpdate.getTime()) {
    throw new CertificateError('INVALID_VALIDITY', 'nextUpdate must be after thisUpdate');
  }
  if (opts.crlNumber < 0n) throw new CertificateError('INVALID_CRL_NUMBER', 'the CRL number must not be negative');
  const caCertificate = pkijs.Certificate.fromBER(parseCertificate(ca.certificatePem).der);
  const signing = await signingKeyFromPem(ca.privateKeyPem);
  const hash = typeof signing.algorithm.hash === 'string' ? signing.algorithm.hash : signing.algorithm.hash.name;

  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = caCertificate.subject;
  crl.thisUpdate = timeOf(opts.thisUpdate);
  crl.nextUpdate = timeOf(opts.nextUpdate);
  if (opts.entries.length > 0) crl.revokedCertificates = opts.entries.map(revokedCertificate);
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      extension(pkijs.id_AuthorityKeyIdentifier, authorityKeyIdentifier(keyIdentifierOf(caCertificate))),
      extension(pkijs.id_CRLNumber, new asn1js.Integer({ valueHex: integerBytes(opts.crlNumber.toString(16)) })),
    ],
  });
  await crl.sign(signing.key, hash);
  const der = new Uint8Array(crl.toSchema(true).toBER(false));
  return { der, pem: pemOf(der) };
}
