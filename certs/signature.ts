import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { CertificateFields } from './fields.js';
import type { LoadedCertificate } from './parse.js';

/** Signature algorithm OID -> digest for node:crypto.verify (null: the algorithm hashes internally, e.g. Ed25519). */
const DIGESTS: Record<string, string | null> = {
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
  '1.3.101.113': null,
};

/** The public key of a SubjectPublicKeyInfo, or undefined when OpenSSL cannot use it. */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/**
 * Whether `issuerKey` made the certificate's signature. The common algorithms go straight to node:crypto.verify over
 * the TBS bytes; anything else (RSA-PSS with parameters, ...) falls back to OpenSSL's X509_verify through Node's
 * X509Certificate, which is slower to build but knows every algorithm OpenSSL does.
 */
export function verifyCertificateSignature(
  certificate: LoadedCertificate,
  fields: CertificateFields,
  issuerKey: KeyObject,
): boolean {
  if (!fields.signatureAlgorithmsAgree) return false;
  try {
    const digest = DIGESTS[fields.signatureAlgorithm];
    if (digest === undefined) return certificate.x509.verify(issuerKey);
    return verify(digest, fields.tbs, issuerKey, fields.signature);
  } catch {
    return false;
  }
}
