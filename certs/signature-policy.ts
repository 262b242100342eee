import { childrenOf, contentsOf, decodeOid, readTlv, TAG } from './der.js';
import type { CertificateFields } from './fields.js';
import { keyPolicyProblem } from './key-policy.js';

/**
 * The signature algorithms a certificate on a device's path may use: SHA-256/384/512 with RSA or ECDSA, what AWS IoT
 * itself accepts (https://docs.aws.amazon.com/iot/latest/developerguide/x509-client-certs.html), RSASSA-PSS included
 * when its hash is one of those. MD5 and SHA-1 are out because collisions in them are practical; SHA-224 and
 * everything else because nobody needs them here.
 */
export const ALLOWED_SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';
const PSS_HASHES: Readonly<Record<string, string>> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** The hash OID of RSASSA-PSS parameters; SHA-1 when absent (the ASN.1 default). */
function pssHash(parameters: Uint8Array): string {
  const sha1 = '1.3.14.3.2.26';
  if (parameters.length === 0) return sha1;
  const sequence = readTlv(parameters, 0);
  if (sequence.tag !== TAG.sequence) return sha1;
  const hashField = childrenOf(parameters, sequence).find((part) => part.tag === 0xa0);
  if (!hashField) return sha1;
  const [algorithm] = childrenOf(parameters, hashField);
  const [oid] = algorithm ? childrenOf(parameters, algorithm) : [];
  return oid?.tag === TAG.oid ? decodeOid(contentsOf(parameters, oid)) : sha1;
}

/** Names of the refused algorithms people meet, so a message says "md5WithRSAEncryption" rather than an OID. */
const REFUSED_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};

/** The name of a signature algorithm OID for messages. */
export function signatureAlgorithmName(oid: string): string {
  return ALLOWED_SIGNATURE_ALGORITHMS[oid] ?? REFUSED_NAMES[oid] ?? oid;
}

/** Whether the OID is on the allow-list (the algorithm alone, not the key that made the signature). */
export function isAllowedSignatureAlgorithm(oid: string): boolean {
  return oid in ALLOWED_SIGNATURE_ALGORITHMS;
}

/** Why the certificate's signature algorithm is refused; undefined when it is on the allow-list. */
export function signatureAlgorithmProblem(certificate: CertificateFields): string | undefined {
  const algorithm = certificate.signatureAlgorithm;
  if (algorithm === RSASSA_PSS) {
    const hash = pssHash(certificate.signatureAlgorithmParameters);
    if (hash in PSS_HASHES) return undefined;
    return `is signed with RSASSA-PSS over ${hash === '1.3.14.3.2.26' ? 'SHA-1' : hash}; only SHA-256/384/512 are accepted`;
  }
  if (isAllowedSignatureAlgorithm(algorithm)) return undefined;
  return `is signed with ${signatureAlgorithmName(algorithm)}; only SHA-256/384/512 with RSA or ECDSA are accepted`;
}

/**
 * Why a signature made with the key in `signerSpki` is too weak, whatever the algorithm: the key that signs must meet
 * the same key policy as a device's own key (certs/key-policy.ts), RSA of at least 2048 bits or EC P-256/P-384.
 */
export function signingKeyProblem(signerSpki: Uint8Array): string | undefined {
  const keyProblem = keyPolicyProblem(signerSpki);
  return (
    keyProblem && `is signed by a key that fails the key policy: ${keyProblem.message.replace(/^the key is /, '')}`
  );
}

/** `signatureAlgorithmProblem`, else `signingKeyProblem`: why the signature is too weak to trust, or undefined. */
export function weakSignatureReason(certificate: CertificateFields, signerSpki: Uint8Array): string | undefined {
  return signatureAlgorithmProblem(certificate) ?? signingKeyProblem(signerSpki);
}
