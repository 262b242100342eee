import type { X509Certificate } from 'node:crypto';
import { type LoadedCertificate, parseCertificate } from '../../../certs/parse.js';
import { certificateValidation } from '../../errors.js';

/** Parses a PEM from a request; anything unreadable is AWS's CertificateValidationException. */
export function readCertificate(pem: string, what: string): LoadedCertificate {
  try {
    return parseCertificate(pem);
  } catch (error) {
    throw certificateValidation(`${what} is not a valid X.509 certificate: ${(error as Error).message}`);
  }
}

/** True when `ca`'s key signed `certificate` and `ca` is its named issuer. */
export function isSignedBy(certificate: X509Certificate, ca: X509Certificate): boolean {
  try {
    return certificate.checkIssued(ca) && certificate.verify(ca.publicKey);
  } catch {
    return false;
  }
}

export function isWithinValidity(certificate: X509Certificate, now: number): boolean {
  return Date.parse(certificate.validFrom) <= now && now <= Date.parse(certificate.validTo);
}

/** The Subject CN of a certificate (Node prints the subject as `KEY=value` lines). */
export function subjectCommonName(certificate: X509Certificate): string | undefined {
  const line = certificate.subject.split('\n').find((entry) => entry.startsWith('CN='));
  return line?.slice(3);
}

export function validityOf(certificate: X509Certificate): { notBefore: number; notAfter: number } {
  return { notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
}
