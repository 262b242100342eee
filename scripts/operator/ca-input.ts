import { createPrivateKey, X509Certificate } from 'node:crypto';
import { attributeValues, readCertificateFields } from '../../certs/fields.js';
import { AZURE_SPHERE_CA_PREFIX, isTenantId } from '../../certs/fleet.js';
import { caKeyMatches, type IssuedCa } from '../../certs/issue.js';
import { type LoadedCertificate, parseCertificate, toPem } from '../../certs/parse.js';
import { summarizeCertificate } from '../../certs/summary.js';
import { OperatorInputError } from './errors.js';

/** A CA certificate as the operator gave it (PEM or DER), checked to be a CA. */
export interface CaInput {
  loaded: LoadedCertificate;
  pem: string;
  certificateId: string;
  subject: string;
  notAfter: Date;
}

export function readCaCertificate(bytes: Uint8Array, where: string): CaInput {
  let loaded: LoadedCertificate;
  try {
    loaded = parseCertificate(bytes);
  } catch (error) {
    throw new OperatorInputError(
      'MALFORMED_CERTIFICATE',
      `${where} is not an X.509 certificate in PEM or DER: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const summary = summarizeCertificate(loaded);
  if (!summary.isCa) {
    throw new OperatorInputError(
      'NOT_A_CA_CERTIFICATE',
      `${where} is not a CA certificate (basicConstraints CA:FALSE): give the CA that signs the devices`,
    );
  }
  return {
    loaded,
    pem: toPem(loaded.der),
    certificateId: loaded.certificateId,
    subject: summary.subject,
    notAfter: new Date(summary.notAfter),
  };
}

/** A PEM private key, or a DER PKCS#8 / SEC1 / PKCS#1 key turned into PEM. The key text never appears in a message. */
export function readPrivateKey(bytes: Uint8Array, where: string): string {
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN ')) {
    if (!/-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
      throw new OperatorInputError('CA_KEY_UNREADABLE', `${where} holds no private key (a certificate?)`);
    }
    if (text.includes('ENCRYPTED PRIVATE KEY')) {
      throw new OperatorInputError('CA_KEY_UNREADABLE', `${where} is encrypted; decrypt it first (openssl pkey)`);
    }
    return text;
  }
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: Buffer.from(bytes), format: 'der', type })
        .export({ format: 'pem', type: 'pkcs8' })
        .toString();
    } catch {
      // try the next encoding
    }
  }
  throw new OperatorInputError('CA_KEY_UNREADABLE', `${where} is not a private key in PEM or DER`);
}

/** The CA and its key, refused when the key is not the CA's. */
export function caWithKey(ca: CaInput, privateKeyPem: string, where: string): IssuedCa {
  const issued: IssuedCa = { certificatePem: ca.pem, privateKeyPem, certificateId: ca.certificateId };
  if (!caKeyMatches(issued)) {
    throw new OperatorInputError('CA_KEY_MISMATCH', `${where} is not the private key of the CA certificate`);
  }
  return issued;
}

/**
 * Checks a proof-of-possession certificate before AWS sees it: Subject CN = the current registration code, signed by
 * the CA. Returns it as PEM (Azure Sphere's download-proof writes DER).
 */
export function checkVerificationCertificate(
  bytes: Uint8Array,
  where: string,
  ca: CaInput,
  registrationCode: string,
): string {
  let loaded: LoadedCertificate;
  try {
    loaded = parseCertificate(bytes);
  } catch (error) {
    throw new OperatorInputError(
      'MALFORMED_CERTIFICATE',
      `${where} is not an X.509 certificate in PEM or DER: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const commonName = commonNameOf(loaded);
  if (commonName !== registrationCode) {
    throw new OperatorInputError(
      'VERIFICATION_CODE_MISMATCH',
      `${where} was made for code "${commonName ?? '(no CN)'}", but this account's registration code is ` +
        `"${registrationCode}"; download a new proof for the current code`,
    );
  }
  if (!new X509Certificate(Buffer.from(loaded.der)).verify(ca.loaded.x509.publicKey)) {
    throw new OperatorInputError('VERIFICATION_NOT_SIGNED_BY_CA', `${where} is not signed by the CA certificate's key`);
  }
  return toPem(loaded.der);
}

/** The tenant GUID of an Azure Sphere tenant CA (`CN=Microsoft Azure Sphere <GUID>`). */
export function tenantIdOf(ca: CaInput): string | undefined {
  const commonName = commonNameOf(ca.loaded) ?? '';
  if (!commonName.startsWith(AZURE_SPHERE_CA_PREFIX)) return undefined;
  const tenant = commonName.slice(AZURE_SPHERE_CA_PREFIX.length).toLowerCase();
  return isTenantId(tenant) ? tenant : undefined;
}

function commonNameOf(loaded: LoadedCertificate): string | undefined {
  return attributeValues(readCertificateFields(loaded.der).subject, 'CN')[0];
}
