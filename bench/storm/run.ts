import type { LocalEmulator } from '../../local/server.js';
import { destroyClients, type OperatorClients } from '../../scripts/aws/clients.js';
import { localClients } from '../../scripts/demo/local-setup.js';
import { simulateFleet } from '../../scripts/simulator/fleet.js';
import { issueSimulatedDevices } from '../../scripts/simulator/identities.js';
import type { DeviceResult } from '../../scripts/simulator/model.js';
import { storeLookup } from '../../scripts/simulator/registry.js';
import { onlineTimeline, percentiles } from '../../scripts/simulator/stats.js';
import { activationFigures } from './activation.js';
import { quotaBound } from './bound.js';
import { DeviceThread } from './device-thread.js';
import { tallyHandlerLines } from './handler-tally.js';
import {
  IOT_OPERATION,
  iotTotal,
  NOT_IOT,
  ONBOARD,
  quiet,
  round,
  type StormOptions,
  type StormResult,
  tallyReasons,
} from './model.js';
import { DLQ_NAME, type RecoveryPass, recoverStorm } from './recover.js';
import { eventsSeen, startStormEnvironment } from './setup.js';
import { cpuByThreadKind, type ThreadKind, threadTicks } from './threads.js';

export type { StormOptions, StormResult } from './model.js';

function recoveryClientsFor(emulator: LocalEmulator): OperatorClients {
  return localClients(emulator, { retryMode: 'standard', maxAttempts: 10 });
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
