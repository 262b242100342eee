import { generateKeyPairSync } from 'node:crypto';
import { openssl, scratchDir } from './openssl.js';

/** Key types a device might put in a CSR, strong and weak, made by Node and signed into a CSR by the system openssl. */
export const CSR_KEYS = {
  'EC P-256': () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  'RSA 2048': () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'RSA 1024': () => generateKeyPairSync('rsa', { modulusLength: 1024 }),
  'EC P-521': () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
  Ed25519: () => generateKeyPairSync('ed25519'),
} as const;
export type CsrKeyType = keyof typeof CSR_KEYS;

/** A PEM PKCS#10 request for a fresh key of `type`, subject `CN=<commonName>`. */
export function csrOfType(type: CsrKeyType, commonName = 'device'): string {
  const { privateKey } = CSR_KEYS[type]();
  const scratch = scratchDir('jitr-csr-');
  try {
    const keyPath = scratch.write('key.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    return openssl(['req', '-new', '-key', keyPath, '-subj', `/CN=${commonName}`]);
  } finally {
    scratch.cleanup();
  }
}
