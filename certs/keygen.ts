import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { CertificateError } from './errors.js';

/**
 * Key algorithms the issuer can make. The strong ones follow the validation key policy (EC P-256/P-384/P-521,
 * RSA >= 2048); the weak ones (RSA-1024, P-192, secp256k1) exist so tests can produce WEAK_KEY certificates.
 */
export const KEY_ALGORITHMS = [
  'P-256',
  'P-384',
  'P-521',
  'RSA-2048',
  'RSA-3072',
  'RSA-4096',
  'RSA-1024',
  'P-192',
  'secp256k1',
] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

const generate = promisify(generateKeyPair);

/** OpenSSL curve names for the EC algorithms. */
const CURVES: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  'P-192': 'prime192v1',
  secp256k1: 'secp256k1',
};

/** The WebCrypto-named curves, the only EC keys that can sign a certificate here. */
const WEBCRYPTO_CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

export interface GeneratedKey {
  privateKey: KeyObject;
  privateKeyPem: string;
  /** SubjectPublicKeyInfo DER, what goes into the certificate. */
  publicKeySpki: Uint8Array;
}

/** Generates a key pair with node:crypto (which, unlike WebCrypto, also makes the weak keys tests need). */
export async function generateKey(algorithm: KeyAlgorithm = 'P-256'): Promise<GeneratedKey> {
  let pair: { privateKey: KeyObject; publicKey: KeyObject };
  if (algorithm.startsWith('RSA-')) {
    pair = await generate('rsa', { modulusLength: Number(algorithm.slice(4)) });
  } else {
    const namedCurve = CURVES[algorithm];
    if (!namedCurve) throw new CertificateError('UNSUPPORTED_KEY', `unknown key algorithm ${algorithm}`);
    pair = await generate('ec', { namedCurve });
  }
  return {
    privateKey: pair.privateKey,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeySpki: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
  };
}

export interface SigningKey {
  key: webcrypto.CryptoKey;
  algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcdsaParams;
}

/** Turns a PEM private key into a WebCrypto signing key (what @peculiar/x509 signs with). */
export async function signingKeyFromPem(privateKeyPem: string): Promise<SigningKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new CertificateError('INVALID_PRIVATE_KEY', 'the CA private key is not a readable PEM private key', {
      cause: error,
    });
  }
  return signingKeyFromObject(keyObject);
}

export async function signingKeyFromObject(keyObject: KeyObject): Promise<SigningKey> {
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  if (keyObject.asymmetricKeyType === 'rsa') {
    const algorithm: webcrypto.RsaHashedImportParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
    return { key, algorithm };
  }
  const curve =
    keyObject.asymmetricKeyType === 'ec'
      ? WEBCRYPTO_CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? '']
      : undefined;
  if (!curve) {
    throw new CertificateError(
      'UNSUPPORTED_KEY',
      `a ${keyObject.asymmetricKeyType} ${keyObject.asymmetricKeyDetails?.namedCurve ?? ''} key cannot sign certificates here`.trim(),
    );
  }
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve.namedCurve }, false, [
    'sign',
  ]);
  return { key, algorithm: { name: 'ECDSA', hash: curve.hash } };
}

/** The public half of a PEM private key, as SPKI DER. */
export function publicSpkiFromPrivatePem(privateKeyPem: string): Uint8Array {
  return new Uint8Array(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }));
}
