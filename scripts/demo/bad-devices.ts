import { randomUUID } from 'node:crypto';
import { createFleetCa, type FleetCa } from '../../certs/fleet.js';
import { issueSimulatedDevice } from '../simulator/identities.js';
import type { SimulatedDevice } from '../simulator/model.js';

/** A device the demo expects to be turned away, and the outcome it expects. */
export interface BadDevice {
  device: SimulatedDevice;
  /** What the device is, in a few words. */
  story: string;
}

const DAY_MS = 86_400_000;

/** A device of the trusted tenant whose one-day certificate ran out yesterday: refused at the TLS handshake. */
export async function expiredDevice(tenant: FleetCa): Promise<BadDevice> {
  const device = await issueSimulatedDevice(tenant, { notBefore: new Date(Date.now() - 3 * DAY_MS), days: 1 });
  return { device: { ...device, label: 'expired' }, story: 'tenant device whose 1-day certificate expired' };
}

/**
 * Another trusted tenant's CA issues a certificate with the device id of a device that is already onboarded:
 * the Thing is bound to the first CA, so the onboarding Lambda revokes the newcomer.
 */
export async function takeoverAttempt(foreign: FleetCa, victimDeviceId: string): Promise<BadDevice> {
  const device = await issueSimulatedDevice(foreign, { deviceId: victimDeviceId });
  return {
    device: { ...device, label: 'foreign CA claim' },
    story: 'a second tenant CA claims the device id of an onboarded device',
  };
}

/** A genuine Azure Sphere device of a tenant this account does not trust: its CA is unknown to IoT Core. */
export async function wrongTenantDevice(): Promise<BadDevice & { tenantId: string }> {
  const tenantId = randomUUID();
  const stranger = await createFleetCa('azure-sphere', { tenantId });
  const device = await issueSimulatedDevice(stranger);
  return {
    device: { ...device, label: 'wrong tenant' },
    story: `device of tenant ${tenantId}, which is not trusted here`,
    tenantId,
  };
}
