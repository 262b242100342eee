import { type Reason, reason } from './reasons.js';
import { describeKey } from './spki.js';

/**
 * The one key policy for device keys: EC P-256 or P-384, or RSA of at least 2048 bits (what AWS IoT accepts for
 * device certificates). Onboarding applies it to a device certificate's key (validate.ts), vending to a CSR's key
 * before IoT signs anything (functions/vend/csr.ts), so a key one path refuses the other refuses too.
 * `spki` is a DER SubjectPublicKeyInfo; throws MalformedCertificateError when it cannot be read.
 */
export function keyPolicyProblem(spki: Uint8Array): Reason | undefined {
  const key = describeKey(spki);
  if (key.strong) return undefined;
  return reason(
    'WEAK_KEY',
    `the key is ${key.keyType}; the policy requires EC P-256/P-384 or RSA of at least 2048 bits`,
  );
}
