import type { CertificateFacts, DeviceVerdict } from '../onboard/model.js';
import type { IotPort } from '../onboard/port.js';

/**
 * The deny-list pass of the reconciler: an ACTIVE certificate that its CA's deny list names (device id, serial number or
 * certificateId; the same check the Lambda makes before activating) was let in before the entry was added, or behind
 * the pipeline's back. It is revoked: REVOKED stops it connecting at once and is final, as a deny entry means.
 */
export function namedByDenyList(verdict: DeviceVerdict): boolean {
  return verdict.reasons.some((reason) => reason.code === 'DENIED');
}

export async function revokeDenied(iot: IotPort, certificate: CertificateFacts): Promise<void> {
  await iot.updateCertificateStatus(certificate.certificateId, 'REVOKED');
}
