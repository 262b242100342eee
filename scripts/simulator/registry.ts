import { DescribeCertificateCommand, type IoTClient } from '@aws-sdk/client-iot';
import type { CertificateState, CertificateStateLookup } from './model.js';

const STATES = new Set<CertificateState>(['ACTIVE', 'PENDING_ACTIVATION', 'INACTIVE', 'REVOKED']);

function stateOf(status: string | undefined): CertificateState {
  return status !== undefined && STATES.has(status as CertificateState) ? (status as CertificateState) : 'UNKNOWN';
}

/**
 * Asks AWS IoT (or the emulator) with DescribeCertificate. A call that fails for another reason than "not found"
 * answers UNKNOWN, which never rejects a device; after a failure that no retry fixes (no credentials, no region) it
 * stops asking.
 */
export function describeCertificateLookup(iot: IoTClient): CertificateStateLookup {
  let unusable = false;
  return async (certificateId) => {
    if (unusable) return 'UNKNOWN';
    try {
      const { certificateDescription } = await iot.send(new DescribeCertificateCommand({ certificateId }));
      return stateOf(certificateDescription?.status);
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ResourceNotFoundException') return 'NOT_FOUND';
      if (!/Throttling|ServiceUnavailable|InternalFailure|TimeoutError/.test(name)) unusable = true;
      return 'UNKNOWN';
    }
  };
}

/** Reads an in-process registry directly (the emulator's store): no API call, no quota. */
export function storeLookup(store: {
  getCertificate(certificateId: string): { status: string } | undefined;
}): CertificateStateLookup {
  return async (certificateId) => {
    const record = store.getCertificate(certificateId);
    return record ? stateOf(record.status) : 'NOT_FOUND';
  };
}
