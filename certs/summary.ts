import { basicConstraints, formatName, readCertificateFields } from './fields.js';
import type { LoadedCertificate } from './parse.js';
import { describeKey } from './spki.js';

/** What `jitr cert inspect` shows about a certificate besides the verdict. */
export interface CertificateSummary {
  certificateId: string;
  subject: string;
  issuer: string;
  /** Lowercase hex, no separators. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** 'EC P-256', 'RSA 2048', ... */
  keyType: string;
  isCa: boolean;
}

/** Throws MalformedCertificateError when the certificate's structure cannot be read. */
export function summarizeCertificate(certificate: LoadedCertificate): CertificateSummary {
  const fields = readCertificateFields(certificate.der);
  return {
    certificateId: certificate.certificateId,
    subject: formatName(fields.subject),
    issuer: formatName(fields.issuer),
    serialNumber: fields.serialNumber,
    notBefore: fields.notBefore.toISOString(),
    notAfter: fields.notAfter.toISOString(),
    keyType: describeKey(fields.subjectPublicKeyInfo).keyType,
    isCa: basicConstraints(fields).ca,
  };
}
