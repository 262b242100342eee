import type { TrustedCa } from '../fleet-config.js';
import type { CertificateFacts } from '../onboard/model.js';
import type { CertificateSummary } from '../onboard/port.js';
import type { WorkflowDeps } from '../onboard/workflow.js';

/** One ACTIVE certificate the reconciler revoked because its CA's CRL lists it. */
export interface CrlRevocation {
  certificateId: string;
  caCertificateId: string;
  crlReason: string;
  revokedAt: string;
}

export type CrlPassResult =
  | { revoked: CrlRevocation }
  | {
      revoked?: undefined;
      /** The description read here, so the rest of the sweep does not read it again. */ certificate?: CertificateFacts | null;
    };

/**
 * The reconciler's CRL pass over one ACTIVE certificate of a CA that names a CRL: the CA's CRL as fetched in this run
 * (never older than `runStartedAt`, so a CRL published since the device onboarded is seen within one run) and, when it
 * lists the certificate's serial number, UpdateCertificate REVOKED. The Thing and policy stay attached, for the record.
 * A CRL that cannot be had revokes nothing (failClosed guards activation, not certificates already in service).
 */
export async function revokeIfOnCrl(
  summary: CertificateSummary,
  ca: TrustedCa,
  deps: WorkflowDeps,
  runStartedAt: number,
): Promise<CrlPassResult> {
  if (!ca.crl || !deps.revocation) return {};
  const certificate = await deps.iot.describeCertificate(summary.certificateId);
  if (certificate?.status !== 'ACTIVE') return { certificate };
  const caFacts = (await deps.caCache.get(ca.certificateId, () => deps.iot.describeCaCertificate(ca.certificateId)))
    .value;
  if (!caFacts) return { certificate };
  const status = await deps.revocation.check({
    ca,
    certificatePem: certificate.certificatePem,
    caCertificatePem: caFacts.certificatePem,
    freshSince: runStartedAt,
  });
  if (status.status !== 'revoked') return { certificate };
  await deps.iot.updateCertificateStatus(certificate.certificateId, 'REVOKED');
  return {
    revoked: {
      certificateId: certificate.certificateId,
      caCertificateId: ca.certificateId,
      crlReason: status.reason,
      revokedAt: status.revokedAt,
    },
  };
}
