import type { IoTClient } from '@aws-sdk/client-iot';
import type { FleetConfig, TrustedCa } from '../../functions/fleet-config.js';
import { heldForOperator } from '../../functions/onboard/decide.js';
import { BINDING } from '../../functions/onboard/model.js';
import { thingNameOf } from './revocation-mark.js';
import { describeCertificate, describeThing, thingCertificates } from './thing-reads.js';

/** An ACTIVE certificate that its CA's deny list names: it got in before the entry, or behind the pipeline's back. */
export interface DeniedActive {
  caCertificateId: string;
  certificateId: string;
  /** The deny entry that names it: a device id (thing name) or the certificateId. */
  entry: string;
}

/** A certificate left pending because its Thing is bound to another CA this fleet trusts (decide.ts). */
export interface BindingConflict {
  caCertificateId: string;
  certificateId: string;
  thingName: string;
  boundCa: string;
}

/**
 * What doctor checks of each deny list: the Things of denied device ids and the denied certificateIds, looked up
 * directly (a few calls per entry). Serial-number entries need every certificate read: the reconciler's sweep
 * covers them.
 */
export async function deniedActiveCertificates(iot: IoTClient, cas: TrustedCa[]): Promise<DeniedActive[]> {
  const found = new Map<string, DeniedActive>();
  for (const ca of cas) {
    for (const deviceId of ca.deny.deviceIds) {
      if (!(await describeThing(iot, deviceId))) continue;
      for (const certificate of await thingCertificates(iot, deviceId)) {
        if (certificate.status === 'ACTIVE' && !found.has(certificate.certificateId)) {
          found.set(certificate.certificateId, {
            caCertificateId: ca.certificateId,
            certificateId: certificate.certificateId,
            entry: deviceId,
          });
        }
      }
    }
    for (const certificateId of ca.deny.certificateIds) {
      const certificate = await describeCertificate(iot, certificateId);
      if (certificate?.status === 'ACTIVE' && !found.has(certificate.certificateId)) {
        found.set(certificate.certificateId, {
          caCertificateId: ca.certificateId,
          certificateId: certificate.certificateId,
          entry: certificateId,
        });
      }
    }
  }
  return [...found.values()];
}

/** At most this many pending certificates per CA are read to look for binding conflicts. */
export const MAX_PENDING_EXAMINED = 100;

/** Pending certificates of `ca` that the Lambda holds: their Thing is bound to another CA of the fleet (same tenant). */
export async function bindingConflicts(
  iot: IoTClient,
  config: FleetConfig,
  ca: TrustedCa,
  pendingIds: string[],
): Promise<BindingConflict[]> {
  const conflicts: BindingConflict[] = [];
  for (const certificateId of pendingIds.slice(0, MAX_PENDING_EXAMINED)) {
    const certificate = await describeCertificate(iot, certificateId);
    if (certificate?.status !== 'PENDING_ACTIVATION') continue;
    const thingName = thingNameOf(ca, certificate.certificatePem);
    if (!thingName) continue;
    const attributes = (await describeThing(iot, thingName))?.attributes ?? {};
    const boundCa = attributes[BINDING.ca];
    if (!boundCa || boundCa === ca.certificateId || ca.rolloverFrom.includes(boundCa)) continue;
    if (!heldForOperator({ thingName, attributes }, ca, config)) continue;
    conflicts.push({ caCertificateId: ca.certificateId, certificateId, thingName, boundCa });
  }
  return conflicts;
}
