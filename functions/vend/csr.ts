import { X509Certificate } from 'node:crypto';
import { childrenOf, expectTlv, TAG } from '../../certs/der.js';
import { keyPolicyProblem } from '../../certs/key-policy.js';
import { invalidField } from './errors.js';

const CSR_PEM = /^-----BEGIN CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE REQUEST-----$/;

const notACsr = () => invalidField('csr', 'csr must be one PEM "CERTIFICATE REQUEST" (PKCS#10) block', 'INVALID_CSR');

/**
 * The SubjectPublicKeyInfo (DER) of a PEM PKCS#10 request: the key the certificate will carry, compared with the keys of
 * certificates already issued so an interrupted request resumes instead of issuing again. IoT checks the signature.
 * Throws a 400 INVALID_CSR for anything else, and a 400 WEAK_KEY for a key onboarding's key policy refuses
 * (certs/key-policy.ts): vending never issues a certificate the JITR pipeline would reject.
 */
export function csrPublicKey(csrPem: string): Buffer {
  const match = CSR_PEM.exec(csrPem.trim());
  if (!match?.[1]) throw notACsr();
  const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  try {
    const outer = expectTlv(der, 0, TAG.sequence);
    if (outer.end !== der.length) throw notACsr();
    const [info] = childrenOf(der, outer);
    if (!info || info.tag !== TAG.sequence) throw notACsr();
    const [version, subject, spki] = childrenOf(der, info);
    if (version?.tag !== TAG.integer || subject?.tag !== TAG.sequence || spki?.tag !== TAG.sequence) throw notACsr();
    const key = Buffer.from(der.subarray(spki.start, spki.end));
    const problem = keyPolicyProblem(key);
    if (problem) throw invalidField('csr', `csr: ${problem.message}`, problem.code);
    return key;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'INVALID_CSR' || code === 'WEAK_KEY') throw error;
    throw notACsr();
  }
}

/** The SubjectPublicKeyInfo (DER) of a PEM certificate; undefined if it cannot be read. */
export function certificatePublicKey(certificatePem: string): Buffer | undefined {
  try {
    return Buffer.from(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return undefined;
  }
}
