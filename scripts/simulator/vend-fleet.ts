import { randomBytes } from 'node:crypto';
import { type SimulateOptions, simulateFleet } from './fleet.js';
import { concurrencyLimit } from './limit.js';
import type { SimulatedDevice } from './model.js';
import type { MqttTarget } from './mqtt-session.js';
import type { SimulationReport } from './summary.js';
import { provisionThroughVend, type VendMode, type VendOutcome, VendRefusedError } from './vend.js';

export interface VendFleetOptions {
  /** Base URL of the vending HTTP API. */
  url: string;
  devices: number;
  mode: VendMode;
  /** The bearer each device sends (`jitr token create` for it, or its balena API key). */
  tokenFor: (deviceId: string) => Promise<string>;
  /** Where devices connect. Absent parts come from the vend response: SNI = its endpoint, CA = its rootCaPem. */
  target: MqttTarget;
  /** Device ids: `<prefix>-<n>`; default a random `vend-sim-xxxx`. */
  prefix?: string;
  concurrency?: number;
  timeoutMs?: number;
  fleet?: Partial<Omit<SimulateOptions, 'devices' | 'target'>>;
}

export interface VendProvisioning {
  requested: number;
  provisioned: number;
  /** Devices the endpoint refused for good: id, HTTP status, error code. */
  refused: { deviceId: string; status: number; code: string }[];
  /** HTTP requests beyond one per device (throttled / busy / lost and retried). */
  retries: number;
}

export interface VendFleetReport {
  provisioning: VendProvisioning;
  report: SimulationReport;
}

/**
 * `jitr simulate --vend URL`: every simulated device provisions itself through the vending endpoint, then the fleet
 * comes online over MQTT/TLS (client id = thing name, QoS 1 telemetry) the way `simulateFleet` boots JITR devices;
 * their certificates are ACTIVE already, so the first connection succeeds.
 */
export async function simulateVendFleet(options: VendFleetOptions): Promise<VendFleetReport> {
  const prefix = options.prefix ?? `vend-sim-${randomBytes(2).toString('hex')}`;
  const ids = Array.from({ length: options.devices }, (_, i) => `${prefix}-${i + 1}`);
  const limit = concurrencyLimit(options.concurrency ?? 20);
  const refused: VendProvisioning['refused'] = [];
  const outcomes = await Promise.all(
    ids.map((deviceId) =>
      limit(async (): Promise<VendOutcome | undefined> => {
        try {
          const token = await options.tokenFor(deviceId);
          return await provisionThroughVend({ url: options.url, deviceId, token, mode: options.mode });
        } catch (error) {
          if (!(error instanceof VendRefusedError)) throw error;
          refused.push({ deviceId, status: error.status, code: error.code });
          return undefined;
        }
      }),
    ),
  );
  const vended = outcomes.filter((outcome): outcome is VendOutcome => outcome !== undefined);
  const first = vended[0]?.identity;
  const target: MqttTarget = {
    url: options.target.url,
    ...((options.target.servername ?? first?.endpoint)
      ? { servername: options.target.servername ?? first?.endpoint }
      : {}),
    ...((options.target.caPem ?? first?.rootCaPem) ? { caPem: options.target.caPem ?? first?.rootCaPem } : {}),
  };
  const devices: SimulatedDevice[] = vended.map(({ identity }) => ({ identity, label: 'vend' }));
  const report = await simulateFleet({
    devices,
    target,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...options.fleet,
  });
  return {
    provisioning: {
      requested: ids.length,
      provisioned: vended.length,
      refused,
      retries: vended.reduce((sum, outcome) => sum + outcome.attempts - 1, 0),
    },
    report,
  };
}
