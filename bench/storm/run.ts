import type { FleetProfile } from '../../certs/fleet.js';
import type { LocalEmulator } from '../../local/server.js';
import { destroyClients, type OperatorClients } from '../../scripts/aws/clients.js';
import { localClients } from '../../scripts/demo/local-setup.js';
import type { BackoffPolicy } from '../../scripts/simulator/backoff.js';
import { simulateFleet } from '../../scripts/simulator/fleet.js';
import { issueSimulatedDevices } from '../../scripts/simulator/identities.js';
import type { DeviceResult } from '../../scripts/simulator/model.js';
import { storeLookup } from '../../scripts/simulator/registry.js';
import { type ActivationFigures, activationFigures } from './activation.js';
import { onlineTimeline, type Percentiles, percentiles } from '../../scripts/simulator/stats.js';
import { quotaBound } from './bound.js';
import { tallyHandlerLines } from './handler-tally.js';
import { cpuByThreadKind, type ThreadKind, threadTicks } from './threads.js';
import { DLQ_NAME, type RecoveryPass, recoverStorm } from './recover.js';
import { DeviceThread } from './device-thread.js';
import { eventsSeen, startStormEnvironment } from './setup.js';

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
  /** Beyond the issue's document: how the figures came about. */
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

const IOT_OPERATION = /^[A-Z][A-Za-z]+$/;
const NOT_IOT = new Set([
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
const ONBOARD = 'jitr-dev-onboard';

function iotTotal(served: Record<string, number>): number {
  return Object.entries(served)
    .filter(([op]) => IOT_OPERATION.test(op) && !NOT_IOT.has(op))
    .reduce((sum, [, n]) => sum + n, 0);
}

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function recoveryClientsFor(emulator: LocalEmulator): OperatorClients {
  return localClients(emulator, { retryMode: 'standard', maxAttempts: 10 });
}

/** Waits until `signature()` stops changing for `stillMs` (the Lambda has drained its queue), at most `maxMs`. */
async function quiet(signature: () => string, stillMs: number, maxMs: number): Promise<void> {
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

function tallyReasons(results: readonly DeviceResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    if (result.outcome === 'online') continue;
    const key = `${result.outcome}:${result.reason ?? 'unknown'}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Boots `devices` simulated devices at once against the emulator at scaled AWS quotas, and measures the onboarding. */
export async function runStorm(options: StormOptions): Promise<StormResult> {
  const progress = options.progress ?? (() => {});
  const tally = tallyHandlerLines();
  const env = await startStormEnvironment(options);
  const deviceThread = await DeviceThread.start(env.target);
  try {
    const { emulator, fleet, target } = env;
    progress(`issuing ${options.devices} ${options.profile} device certificates`);
    const devices = await issueSimulatedDevices(fleet, options.devices);
    const ours = new Set(devices.map((device) => device.identity.certificateId));
    const statusCount = (status: string) =>
      [...ours].filter((id) => emulator.store.getCertificate(id)?.status === status).length;
    const activeNow = () => new Set([...ours].filter((id) => emulator.store.getCertificate(id)?.status === 'ACTIVE'));
    const dlqDepth = () => {
      const counts = emulator.store.queues.counts(DLQ_NAME, Date.now());
      return counts.visible + counts.inFlight + counts.delayed;
    };

    // Warm-up, outside the figures: the first invocation bundles the handler and each container pays its cold start;
    // a fleet that powers on hits a deployed, warm function (AWS keeps containers warm between invocations too).
    progress(`warm-up: ${options.concurrency} devices of the same fleet, not counted`);
    const warm = await issueSimulatedDevices(fleet, options.concurrency);
    deviceThread.register([...warm, ...devices]);
    await simulateFleet({
      attempt: deviceThread.attempt,
      devices: warm,
      target,
      certificateState: storeLookup(emulator.store),
      concurrency: options.concurrency,
      timeoutMs: 60_000,
      backoff: { baseMs: 200, capMs: 1000 },
    });
    await quiet(() => JSON.stringify(tally.counts), 3000, 90_000);
    emulator.apiCalls.reset();
    const cpuAtStart = process.cpuUsage();
    const devicesThread = new Map(
      deviceThread.tid === undefined ? [] : [[String(deviceThread.tid), 'devices' as const]],
    );
    const threadsAtStart = threadTicks(devicesThread);
    const lambdaAtStart = emulator.lambdaUsage()[ONBOARD] ?? { invocations: 0, durationMs: 0 };
    const eventsBefore = eventsSeen(env);
    const invocationsBefore = { ...(tally.counts[ONBOARD] ?? {}) };
    progress(`storm: ${options.devices} devices power on at once`);
    let lastProgress = 0;
    const storm = await simulateFleet({
      attempt: deviceThread.attempt,
      devices,
      target,
      certificateState: storeLookup(emulator.store),
      concurrency: options.connectConcurrency,
      timeoutMs: options.timeoutMs,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onProgress: (p) => {
        if (p.elapsedMs - lastProgress < 2000) return;
        lastProgress = p.elapsedMs;
        progress(
          `  ${(p.elapsedMs / 1000).toFixed(1)} s: ${p.online} online, ${p.rejected} rejected, ${p.failed} failed`,
        );
      },
    });
    const invocationsNow = () => {
      const counts: Record<string, number> = {};
      for (const [key, n] of Object.entries(tally.counts[ONBOARD] ?? {})) {
        counts[key] = n - (invocationsBefore[key] ?? 0);
      }
      return counts;
    };
    const handled = () => Object.values(invocationsNow()).reduce((sum, n) => sum + n, 0);
    const callsAtStormEnd = emulator.apiCalls.snapshot();
    const events = eventsSeen(env) - eventsBefore;
    const backlogAtStormEnd = Math.max(0, events - handled());
    // Every registration event is an invocation (Lambda's async queue holds what the quotas hold back): the storm's
    // cost includes the duplicates still queued when the last device came online.
    const drainStarted = Date.now();
    if (backlogAtStormEnd > 0) {
      progress(`draining: ${backlogAtStormEnd} registration events still queued for the Lambda`);
      await quiet(() => JSON.stringify(tally.counts), 5000, options.drainMs);
    }
    const drainS = (Date.now() - drainStarted) / 1000;
    const cpuUsed = process.cpuUsage(cpuAtStart);
    const byThread = cpuByThreadKind(threadsAtStart, threadTicks(devicesThread));
    const lambdaNow = emulator.lambdaUsage()[ONBOARD] ?? { invocations: 0, durationMs: 0 };
    const calls = emulator.apiCalls.snapshot();
    const invocations = invocationsNow();
    const backlogLeft = Math.max(0, events - handled());
    const byDevice = new Map<string, DeviceResult>(storm.results.map((r) => [r.certificateId, r]));
    const samples = onlineTimeline(storm.changes.filter((change) => change.delta === 1));
    const marks: StormResult['marks'] = [];
    const pendingAfterStorm = statusCount('PENDING_ACTIVATION');
    const failedDuringStorm = storm.boot.failed;
    const dlqAfterStorm = dlqDepth();

    let recovery: RecoveryPass[] = [];
    if (options.faults && (failedDuringStorm > 0 || dlqDepth() > 0 || pendingAfterStorm > 0)) {
      // Lambda's own retries of the last events (1 s, then 2 s later) land first.
      await quiet(() => JSON.stringify(tally.counts), 5000, 120_000);
      marks.push({ atMs: Date.now() - Date.parse(storm.startedAt), label: 'replay + reconcile' });
      progress(`recovery: DLQ ${dlqDepth()}, pending ${statusCount('PENDING_ACTIVATION')}`);
      // Standard retries for the recovery tools: under injected ThrottlingExceptions the SDK's adaptive mode (what the
      // CLI uses) cuts its own send rate so far that a 2,000-device recovery stalled for minutes (measured 08:41-08:48).
      const recoveryClients = recoveryClientsFor(emulator);
      try {
        recovery = await recoverStorm({
          clients: recoveryClients,
          activeNow,
          dlqDepth,
          pendingNow: () => statusCount('PENDING_ACTIVATION'),
        });
      } finally {
        destroyClients(recoveryClients);
      }
      const again = devices.filter((device) => byDevice.get(device.identity.certificateId)?.outcome === 'failed');
      if (again.length > 0) {
        const offset = Date.now() - Date.parse(storm.startedAt);
        marks.push({ atMs: offset, label: 'failed devices retry' });
        progress(`recovery: ${again.length} devices that gave up boot again`);
        const retry = await simulateFleet({
          attempt: deviceThread.attempt,
          devices: again,
          target,
          certificateState: storeLookup(emulator.store),
          concurrency: options.connectConcurrency,
          timeoutMs: options.timeoutMs,
        });
        for (const result of retry.results) byDevice.set(result.certificateId, result);
        samples.push(
          ...onlineTimeline(retry.changes.filter((change) => change.delta === 1))
            .slice(1)
            .map((point) => ({ atMs: point.atMs + offset, online: point.online + storm.boot.online })),
        );
      }
    }

    const finals = [...byDevice.values()];
    const online = finals.filter((r) => r.outcome === 'online').length;
    const rejected = finals.filter((r) => r.outcome === 'rejected').length;
    const iotCalls: Record<string, number> = {};
    for (const [op, n] of Object.entries(calls.served))
      if (IOT_OPERATION.test(op) && !NOT_IOT.has(op)) iotCalls[op] = n;
    const totalCalls = Object.values(iotCalls).reduce((sum, n) => sum + n, 0);
    const bound = quotaBound(options.quotaScale);
    const durationS = storm.boot.durationMs / 1000;
    const throughput = storm.boot.online / durationS;
    const times = storm.results.flatMap((r) => (r.timeToOnlineMs !== undefined ? [r.timeToOnlineMs] : []));
    const { progress: _progress, ...recorded } = options;
    return {
      devices: options.devices,
      online,
      rejected,
      lost: options.devices - online - rejected,
      stuckPending: statusCount('PENDING_ACTIVATION'),
      durationS: round(durationS),
      throughput: round(throughput, 2),
      bound: bound.devicesPerSecond,
      ratio: round(throughput / bound.devicesPerSecond),
      apiCalls: iotCalls,
      apiCallsPerDevice: round(totalCalls / options.devices),
      describeCertificatePerDevice: round((calls.served.DescribeCertificate ?? 0) / options.devices),
      updateCertificatePerDevice: round((calls.served.UpdateCertificate ?? 0) / options.devices),
      lambda: {
        containers: options.concurrency,
        invocations: lambdaNow.invocations - lambdaAtStart.invocations,
        totalDurationS: round((lambdaNow.durationMs - lambdaAtStart.durationMs) / 1000, 1),
      },
      cpu: {
        pipelineS: round((cpuUsed.user + cpuUsed.system) / 1e6, 1),
        perOnlineDeviceMs: round((cpuUsed.user + cpuUsed.system) / 1000 / Math.max(1, storm.boot.online), 1),
        ...(byThread
          ? {
              byThreadS: Object.fromEntries(Object.entries(byThread).map(([k, v]) => [k, round(v, 1)])) as Record<
                ThreadKind,
                number
              >,
              withoutDevicesPerOnlineDeviceMs: round(
                (((cpuUsed.user + cpuUsed.system) / 1e6 - byThread.devices) * 1000) / Math.max(1, storm.boot.online),
                1,
              ),
            }
          : {}),
      },
      eventsPerDevice: round(events / options.devices),
      timeToOnline: percentiles(times) ?? null,
      activation:
        activationFigures(
          [...ours].flatMap((id) => {
            const certificate = emulator.store.getCertificate(id);
            return certificate?.status === 'ACTIVE' ? [certificate.lastModifiedDate] : [];
          }),
          Date.parse(storm.startedAt),
          durationS,
          bound.devicesPerSecond,
        ) ?? null,
      detail: {
        boundLimitedBy: bound.limitedBy,
        minimumCallsPerDevice: bound.minimumCallsPerDevice,
        throttled: calls.throttled,
        faulted: calls.faulted,
        invocations,
        backlogAtStormEnd,
        drainS: round(drainS, 1),
        backlogLeft,
        iotCallsDuringDrain: iotTotal(calls.served) - iotTotal(callsAtStormEnd.served),
        apiCallsAtStormEnd: Object.entries(callsAtStormEnd.served)
          .filter(([op]) => IOT_OPERATION.test(op) && !NOT_IOT.has(op))
          .reduce((sum, [, n]) => sum + n, 0),
        reconnectsPerDevice: round(storm.boot.reconnects / options.devices),
        notOnlineReasons: tallyReasons(finals),
        failedDuringStorm,
        pendingAfterStorm,
        dlqAfterStorm,
        recovery,
        dlqAtEnd: dlqDepth(),
        options: recorded,
      },
      samples,
      marks,
    };
  } finally {
    await deviceThread.stop();
    destroyClients(env.clients);
    const { droppedInvocations } = await env.emulator.stop();
    progress(`stopped: ${droppedInvocations} queued Lambda invocations dropped`);
    tally.restore();
  }
}
