import type { X509Certificate } from 'node:crypto';
import { fieldsOf } from '../../../certs/fields.js';
import { type LoadedCertificate, parseCertificate } from '../../../certs/parse.js';
import { signatureAlgorithmName, signatureAlgorithmProblem } from '../../../certs/signature-policy.js';
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

const DSA_WITH_SHA256 = '2.16.840.1.101.3.4.3.2';

/**
 * The signature algorithms AWS IoT accepts on a certificate: SHA-256/384/512 with RSA (PKCS #1 v1.5 or PSS), with
 * ECDSA, and DSA with SHA-256; no MD5, no SHA-1. "Certificate signing algorithms supported by AWS IoT",
 * https://docs.aws.amazon.com/iot/latest/developerguide/x509-client-certs.html
 * Returns the refused algorithm's name, or undefined when AWS IoT supports it.
 */
export function unsupportedSignatureAlgorithm(der: Uint8Array): string | undefined {
  const fields = fieldsOf(der);
  if (fields.signatureAlgorithm === DSA_WITH_SHA256 || !signatureAlgorithmProblem(fields)) return undefined;
  return signatureAlgorithmName(fields.signatureAlgorithm);
}

/** RegisterCertificate and friends: an unsupported signature algorithm is AWS's CertificateValidationException. */
export function requireSupportedSignature(certificate: LoadedCertificate, what: string): void {
  const refused = unsupportedSignatureAlgorithm(certificate.der);
  if (refused) throw certificateValidation(`${what} is signed with ${refused}, which AWS IoT does not support`);
}
