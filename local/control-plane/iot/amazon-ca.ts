import { CertificateError } from '../../../certs/errors.js';
import { createRootCa, type IssuedCa, type IssuedDevice, issueDeviceCertificate } from '../../../certs/issue.js';
import { x509 } from '../../../certs/x509-lib.js';
import { invalidRequest } from '../../errors.js';
import type { IotContext } from './context.js';

/** The emulator's stand-in for the Amazon CA that signs CreateKeysAndCertificate / CreateCertificateFromCsr output. */
export function createAmazonCa(): Promise<IssuedCa> {
  return createRootCa({ commonName: 'jitr local Amazon IoT CA', organization: 'jitr local emulator' });
}

/** AWS names these certificates "AWS IoT Certificate" and gives them a fresh RSA 2048 key. */
export async function issueWithNewKey(context: IotContext): Promise<IssuedDevice & { privateKeyPem: string }> {
  const issued = await issueDeviceCertificate(await context.amazonCa(), {
    subject: { commonName: 'AWS IoT Certificate' },
    keyAlgorithm: 'RSA-2048',
  });
  if (issued.privateKeyPem === undefined) throw new Error('the issuer returned no private key');
  return { ...issued, privateKeyPem: issued.privateKeyPem };
}

/** Signs the CSR's key with the CSR's subject CN; a CSR that does not parse or verify is an InvalidRequestException. */
export async function issueFromCsr(context: IotContext, csrPem: string): Promise<IssuedDevice> {
  let commonName = 'AWS IoT Certificate';
  try {
    const csr = new x509.Pkcs10CertificateRequest(csrPem);
    commonName = csr.subjectName.getField('CN')[0] ?? commonName;
  } catch {
    throw invalidRequest('certificateSigningRequest is not a PEM PKCS#10 request');
  }
  try {
    return await issueDeviceCertificate(await context.amazonCa(), { subject: { commonName }, csrPem });
  } catch (error) {
    if (error instanceof CertificateError) throw invalidRequest(`certificateSigningRequest: ${error.message}`);
    throw error;
  }
}
