import { AWS_DEFAULT_TPS } from '../../local/quotas.js';

/**
 * IoT control-plane calls the onboarding workflow makes for a new device on a warm container: the minimum a device can
 * cost (functions/onboard/decide.ts: read the certificate, then the Thing; CreateThing + AttachPolicy, then
 * AttachThingPrincipal, then UpdateCertificate ACTIVE). DescribeCACertificate is cached per container, so it tends to
 * zero per device.
 */
export const NEW_DEVICE_CALLS: Readonly<Record<string, number>> = {
  DescribeCertificate: 1,
  DescribeThing: 1,
  CreateThing: 1,
  AttachPolicy: 1,
  AttachThingPrincipal: 1,
  UpdateCertificate: 1,
};

export interface QuotaBound {
  /** Devices per second the quotas allow: min over operations of TPS x scale / calls per device. */
  devicesPerSecond: number;
  /** The operations that set the bound. */
  limitedBy: string[];
  /** Sum of the calls per device (the denominator of the apiCallsPerDevice target). */
  minimumCallsPerDevice: number;
}

/** The throughput ceiling from the quota table (not measured): no device can onboard faster than its scarcest quota. */
export function quotaBound(
  scale: number,
  calls: Readonly<Record<string, number>> = NEW_DEVICE_CALLS,
  tps: Readonly<Record<string, number>> = AWS_DEFAULT_TPS,
): QuotaBound {
  let best = Number.POSITIVE_INFINITY;
  let limitedBy: string[] = [];
  for (const [operation, perDevice] of Object.entries(calls)) {
    const rate = tps[operation];
    if (rate === undefined || perDevice <= 0) continue;
    const devices = (rate * scale) / perDevice;
    if (devices < best - 1e-9) {
      best = devices;
      limitedBy = [operation];
    } else if (Math.abs(devices - best) <= 1e-9) limitedBy.push(operation);
  }
  const minimumCallsPerDevice = Object.values(calls).reduce((sum, n) => sum + n, 0);
  return { devicesPerSecond: best, limitedBy, minimumCallsPerDevice };
}
