import { randomBytes } from 'node:crypto';
import type { LoadedCertificate } from '../../certs/parse.js';
import type { AccountScope } from './arns.js';
import type { CertificateRecord } from './model.js';

/** The record AWS IoT makes for a certificate it auto-registers (JITR). */
export function pendingActivationRecord(
  loaded: LoadedCertificate,
  input: { caCertificateId: string; now: number; arn: string; scope: AccountScope },
): CertificateRecord {
  return {
    certificateId: loaded.certificateId,
    certificateArn: input.arn,
    certificatePem: loaded.x509.toString(),
    caCertificateId: input.caCertificateId,
    status: 'PENDING_ACTIVATION',
    certificateMode: 'DEFAULT',
    ownedBy: input.scope.accountId,
    creationDate: input.now,
    lastModifiedDate: input.now,
    customerVersion: 1,
    generationId: randomBytes(16).toString('hex'),
    validity: { notBefore: Date.parse(loaded.x509.validFrom), notAfter: Date.parse(loaded.x509.validTo) },
  };
}
