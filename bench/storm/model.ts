import type { FleetProfile } from '../../certs/fleet.js';
import type { BackoffPolicy } from '../../scripts/simulator/backoff.js';
import type { DeviceResult } from '../../scripts/simulator/model.js';
import type { Percentiles } from '../../scripts/simulator/stats.js';
import type { ActivationFigures } from './activation.js';
import type { RecoveryPass } from './recover.js';
import type { ThreadKind } from './threads.js';

// What a storm run takes and what it reports, and the small helpers that compute its figures.

export interface StormOptions {
  devices: number;
  quotaScale: number;
  faults?: string;
  seed: number;
  /** Lambda concurrency of the emulator's rules engine (containers running the onboard handler at once). */
  concurrency: number;
  /** Device connection attempts in flight at once (the simulator's limit). */
  connectConcurrency: number;
  /** How long each device keeps trying before it gives up. */
  timeoutMs: number;
  /** After the storm, wait up to this long for the Lambda to work off the events still queued (duplicates). */
  drainMs: number;
  backoff?: BackoffPolicy;
  profile: FleetProfile;
  progress?: (message: string) => void;
}

export interface StormResult {
  devices: number;
  online: number;
  rejected: number;
  lost: number;
  stuckPending: number;
  durationS: number;
  throughput: number;
  bound: number;
  ratio: number;
  apiCalls: Record<string, number>;
  apiCallsPerDevice: number;
  /** DescribeCertificate and UpdateCertificate per device (the two 10 TPS quotas), over the storm and the drain. */
  describeCertificatePerDevice: number;
  updateCertificatePerDevice: number;
  /** The emulator's Lambda over the storm and the drain: containers (--concurrency), invocations and their duration. */
  lambda: { containers: number; invocations: number; totalDurationS: number };
  /** CPU time of this process (gateway, control plane, rules, Lambda containers and the simulated devices). */
  cpu: {
    pipelineS: number;
    perOnlineDeviceMs: number;
    /** Linux: the same time by thread (main: gateway, control plane, rules; devices; Lambda containers; V8; libuv). */
    byThreadS?: Record<ThreadKind, number>;
    /** Linux: CPU per device online without the simulated devices' own thread (the emulator and the Lambda alone). */
    withoutDevicesPerOnlineDeviceMs?: number;
  };
  eventsPerDevice: number;
  timeToOnline: Percentiles | null;
  /** When the Lambda activated the certificates (the pipeline's pace, without the devices' backoff). */
  activation: ActivationFigures | null;
  /** Beyond the document: how the figures came about. */
  detail: {
    boundLimitedBy: string[];
    minimumCallsPerDevice: number;
    /** Calls refused by the quota, and failed by injected faults, per operation (not in apiCalls). */
    throttled: Record<string, number>;
    faulted: Record<string, number>;
    /** Onboard handler invocations by decision (error:<code> for failed attempts). */
    invocations: Record<string, number>;
    /** Registration events not yet handled by the Lambda when the last device came online. */
    backlogAtStormEnd: number;
    /** How long the backlog took to drain (bounded by --drain-s), and what was left. */
    drainS: number;
    backlogLeft: number;
    /** IoT calls served while the backlog drained (duplicates should cost none). */
    iotCallsDuringDrain: number;
    /** IoT calls served up to the moment the last device came online (apiCalls adds the drain). */
    apiCallsAtStormEnd: number;
    reconnectsPerDevice: number;
    /** Devices not online at the end, by reason code (the simulator's REASONS). */
    notOnlineReasons: Record<string, number>;
    failedDuringStorm: number;
    pendingAfterStorm: number;
    dlqAfterStorm: number;
    recovery: RecoveryPass[];
    dlqAtEnd: number;
    options: Omit<StormOptions, 'progress'>;
  };
  /** Devices online over time (ms since power-on), for the plot. */
  samples: { atMs: number; online: number }[];
  marks: { atMs: number; label: string }[];
}

export const IOT_OPERATION = /^[A-Z][A-Za-z]+$/;
export const NOT_IOT = new Set([
  'GetParameter',
  'PutParameter',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  // DynamoDB (the idempotency table)
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'CreateTable',
  'DescribeTable',
]);
export const ONBOARD = 'jitr-dev-onboard';

/** IoT calls among the emulator's per-operation counts (SSM, SQS and DynamoDB calls left out). */
export function iotTotal(served: Record<string, number>): number {
  return Object.entries(served)
    .filter(([op]) => IOT_OPERATION.test(op) && !NOT_IOT.has(op))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** `value` rounded to `digits` decimals, for the report. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Waits until `signature()` stops changing for `stillMs` (the Lambda has drained its queue), at most `maxMs`. */
export async function quiet(signature: () => string, stillMs: number, maxMs: number): Promise<void> {
  const end = Date.now() + maxMs;
  let last = signature();
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < stillMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = signature();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** Devices not online, by `<outcome>:<reason>`. */
export function tallyReasons(results: readonly DeviceResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    if (result.outcome === 'online') continue;
    const key = `${result.outcome}:${result.reason ?? 'unknown'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
