import { type CrlProblemCode, lookupSerial, parseCrl, type RevocationList, verifyCrl } from './crl.js';
import { CertificateError } from './errors.js';
import { fieldsOf } from './fields.js';

/** What a CRL says about one certificate at a given time: the verdict `jitr cert inspect --crl` prints. */
export type CrlVerdict =
  | { status: 'good'; crlNumber?: string; thisUpdate: string; nextUpdate: string }
  | { status: 'revoked'; serialNumber: string; reason: string; reasonCode: number; revokedAt: string }
  | { status: 'unknown'; code: CrlProblemCode; message: string };

/**
 * The certificate's status on a CRL of its issuer (DER of both), at `at`: unknown when the CRL is unreadable or not
 * trusted (another key, stale, ...), as the Lambda sees it. Pure.
 */
export function crlVerdict(
  crlBytes: string | Uint8Array,
  issuerDer: Uint8Array,
  certificateDer: Uint8Array,
  at: Date,
): CrlVerdict {
  let crl: ReturnType<typeof parseCrl>;
  try {
    crl = parseCrl(crlBytes);
  } catch (error) {
    if (error instanceof CertificateError) return { status: 'unknown', code: 'CRL_MALFORMED', message: error.message };
    throw error;
  }
  const check = verifyCrl(crl, issuerDer, at);
  if (!check.trusted) return { status: 'unknown', code: check.code, message: check.message };
  const revoked = revocationOf(crl, certificateDer);
  if (revoked) return revoked;
  return {
    status: 'good',
    ...(crl.crlNumber !== undefined ? { crlNumber: crl.crlNumber } : {}),
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate!.toISOString(),
  };
}

/** The certificate's entry on a (verified) CRL as a revoked verdict, or undefined when the CRL does not list it. Pure. */
export function revocationOf(
  crl: RevocationList,
  certificateDer: Uint8Array,
): Extract<CrlVerdict, { status: 'revoked' }> | undefined {
  const serialNumber = fieldsOf(certificateDer).serialNumber;
  const entry = lookupSerial(crl, serialNumber);
  if (!entry) return undefined;
  return {
    status: 'revoked',
    serialNumber,
    reason: entry.reason,
    reasonCode: entry.reasonCode,
    revokedAt: entry.revokedAt.toISOString(),
  };
}
