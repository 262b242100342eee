import {
  basicConstraints,
  type CertificateFields,
  CLIENT_AUTH,
  EXTENSION,
  extendedKeyUsages,
  KEY_USAGE,
  keyUsageBits,
  mayIssueCertificates,
} from './fields.js';

/** A problem one rule found with one certificate: the caller adds which certificate. */
export type Finding = string | undefined;

export const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/**
 * Extensions the path validation processes; a critical extension outside this list makes the certificate unusable
 * (RFC 5280 4.2: "A certificate-using system MUST reject the certificate if it encounters a critical extension it
 * does not recognize"). The CRL distribution points and authority information access are read by the revocation
 * check, not here, and are never critical in practice (RFC 5280 says SHOULD be non-critical / MUST be non-critical).
 */
export const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  ...Object.values(EXTENSION),
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.1', // authorityInfoAccess
]);

export function unhandledCriticalExtensions(fields: CertificateFields): string[] {
  return [...fields.extensions]
    .filter(([oid, extension]) => extension.critical && !PROCESSED_EXTENSIONS.has(oid))
    .map(([oid]) => oid);
}

/** RFC 5280 6.1.4 (k) and (n): an intermediate must be a CA, and any issuer's keyUsage must allow keyCertSign. */
export function issuerFindings(fields: CertificateFields, isAnchor: boolean): string[] {
  const findings: string[] = [];
  // The trusted CA is trusted as configured (a v1 root has no basicConstraints); an intermediate must say it is a CA.
  if (!isAnchor && !basicConstraints(fields).ca)
    findings.push('is not a CA certificate (basicConstraints cA is not TRUE)');
  if (!mayIssueCertificates(fields))
    findings.push('has a key usage that does not allow signing certificates (keyCertSign)');
  return findings;
}

/** An issuer with an EKU restricts the whole path below it to those purposes (what TLS libraries enforce). */
export function issuerPurposeFinding(fields: CertificateFields): Finding {
  const usages = extendedKeyUsages(fields);
  if (usages === undefined || usages.includes(CLIENT_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE)) return undefined;
  return `restricts its certificates to extended key usage ${usages.join(', ') || '(none)'}, without clientAuth`;
}

/**
 * RFC 5280 4.2.1.3: keyCertSign only with cA TRUE; a TLS client signs the handshake, so a device's keyUsage (when it
 * has one) must include digitalSignature.
 */
export function leafKeyUsageFindings(fields: CertificateFields): string[] {
  const bits = keyUsageBits(fields);
  if (!bits) return [];
  const findings: string[] = [];
  if (bits.has(KEY_USAGE.keyCertSign) && !basicConstraints(fields).ca) {
    findings.push('asserts keyUsage keyCertSign without basicConstraints cA TRUE (RFC 5280 4.2.1.3)');
  }
  if (!bits.has(KEY_USAGE.digitalSignature)) {
    findings.push('has a keyUsage without digitalSignature, which a TLS client certificate needs');
  }
  return findings;
}
