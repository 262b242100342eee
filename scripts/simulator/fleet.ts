import { setTimeout as sleep } from 'node:timers/promises';
import type { BackoffPolicy } from './backoff.js';
import { bringOnline, type Lifecycle } from './device.js';
import { concurrencyLimit } from './limit.js';
import type {
  AttemptOutcome,
  CertificateStateLookup,
  DeviceIdentity,
  DeviceResult,
  Phase,
  SimulatedDevice,
} from './model.js';
import { REASONS } from './model.js';
import { attemptSession, type MqttTarget } from './mqtt-session.js';
import type { OnlineChange } from './stats.js';
import { type SimulationReport, summarizePhase } from './summary.js';

export interface SimulateOptions {
  devices: SimulatedDevice[];
  target: MqttTarget;
  /** Connection attempts (TLS handshake, CONNECT, telemetry) in flight at once. Default 50. */
  concurrency?: number;
  /** How long each device may take to come online, per phase. Default 60 s. */
  timeoutMs?: number;
  /** After the boot, renew every online device's certificate and bring it back online with it. */
  rotate?: boolean;
  /** The registry's view of a certificate, for the rejection rule (scripts/simulator/device.ts). */
  certificateState?: CertificateStateLookup;
  rejectAfter?: number;
  backoff?: BackoffPolicy;
  onProgress?: (progress: Progress) => void;
  /** Injected for tests of the orchestration; default a real mqtt.js session. */
  attempt?: (device: SimulatedDevice, identity: DeviceIdentity, sequence: number) => Promise<AttemptOutcome>;
}

export interface Progress {
  phase: Phase;
  total: number;
  online: number;
  rejected: number;
  failed: number;
  elapsedMs: number;
}

interface Running {
  device: SimulatedDevice;
  identity: DeviceIdentity;
  session?: Extract<AttemptOutcome, { kind: 'online' }>;
}

/**
 * Boots a fleet of simulated devices against an MQTT endpoint doing JITR, and (with `rotate`) renews every certificate
 * and reconnects. Every device runs its own lifecycle; a shared limit caps the connection attempts in flight.
 */
export async function simulateFleet(options: SimulateOptions): Promise<SimulationReport> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const limit = concurrencyLimit(options.concurrency ?? 50);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const changes: OnlineChange[] = [];
  const results: DeviceResult[] = [];
  let sequence = 0;
  const everyEntry: Running[] = [];
  const attempt =
    options.attempt ??
    ((device: SimulatedDevice, identity: DeviceIdentity, seq: number) =>
      attemptSession(options.target, identity, { presentsCa: device.presentsCa === true, sequence: seq }));

  const runPhase = async (phase: Phase, running: Running[]): Promise<DeviceResult[]> => {
    everyEntry.push(...running);
    const tally = { online: 0, rejected: 0, failed: 0 };
    const report = () => options.onProgress?.({ phase, total: running.length, ...tally, elapsedMs: elapsed() });
    report();
    const deadline = () => Date.now() + timeoutMs;
    const phaseResults = await Promise.all(
      running.map(async (entry) => {
        const end = deadline();
        const lifecycle = await bringOnline(
          entry.identity,
          {
            attempt: () => limit(() => attempt(entry.device, entry.identity, sequence++)),
            ...(options.certificateState ? { certificateState: options.certificateState } : {}),
            now: Date.now,
            sleep: (ms) => sleep(ms),
          },
          {
            deadline: end,
            ...(options.backoff ? { backoff: options.backoff } : {}),
            ...(options.rejectAfter !== undefined ? { rejectAfter: options.rejectAfter } : {}),
          },
        );
        const result = resultOf(phase, entry, lifecycle, started);
        if (lifecycle.outcome === 'online') {
          entry.session = lifecycle.session;
          changes.push({ atMs: elapsed(), delta: 1 });
          lifecycle.session.onLost(() => {
            entry.session = undefined;
            changes.push({ atMs: elapsed(), delta: -1 });
          });
        }
        tally[lifecycle.outcome]++;
        report();
        return result;
      }),
    );
    results.push(...phaseResults);
    return phaseResults;
  };

  const running: Running[] = options.devices.map((device) => ({ device, identity: device.identity }));
  const bootStarted = elapsed();
  const boot = await runPhase('boot', running);
  const bootSummary = summarizePhase(boot, elapsed() - bootStarted);
  const phases: NonNullable<SimulationReport['phases']> = [{ phase: 'boot', startMs: bootStarted, endMs: elapsed() }];

  let rotationSummary: ReturnType<typeof summarizePhase> | undefined;
  if (options.rotate) {
    const rotateStarted = elapsed();
    const online = running.filter((entry) => entry.session !== undefined);
    const renewed: Running[] = [];
    const failedReissue: DeviceResult[] = [];
    await Promise.all(
      online.map(async (entry) => {
        // A device restarts with its renewed certificate: the old session ends first.
        await endSession(entry, changes, elapsed);
        try {
          if (!entry.device.reissue) throw new Error('no reissue');
          renewed.push({ device: entry.device, identity: await entry.device.reissue() });
        } catch {
          failedReissue.push({
            ...baseResult('rotate', entry),
            outcome: 'failed',
            reason: REASONS.reissueFailed,
            attempts: 0,
          });
        }
      }),
    );
    results.push(...failedReissue);
    const rotated = await runPhase('rotate', renewed);
    rotationSummary = summarizePhase([...rotated, ...failedReissue], elapsed() - rotateStarted);
    phases.push({ phase: 'rotate', startMs: rotateStarted, endMs: elapsed() });
  }

  await Promise.all(everyEntry.map((entry) => endSession(entry, changes, elapsed)));
  return {
    startedAt: new Date(started).toISOString(),
    endpoint: options.target.url,
    durationMs: elapsed(),
    boot: bootSummary,
    ...(rotationSummary ? { rotation: rotationSummary } : {}),
    results,
    changes,
    phases,
  };
}

async function endSession(entry: Running, changes: OnlineChange[], elapsed: () => number): Promise<void> {
  const session = entry.session;
  if (!session) return;
  entry.session = undefined;
  changes.push({ atMs: elapsed(), delta: -1 });
  await session.close().catch(() => {});
}

function baseResult(phase: Phase, entry: Running) {
  return {
    deviceId: entry.identity.deviceId,
    thingName: entry.identity.thingName,
    certificateId: entry.identity.certificateId,
    phase,
    ...(entry.device.label !== undefined ? { label: entry.device.label } : {}),
  };
}

function resultOf(phase: Phase, entry: Running, lifecycle: Lifecycle, runStarted: number): DeviceResult {
  if (lifecycle.outcome === 'online') {
    return {
      ...baseResult(phase, entry),
      outcome: 'online',
      attempts: lifecycle.attempts,
      timeToOnlineMs: lifecycle.onlineAt - lifecycle.startedAt,
      onlineAtMs: lifecycle.onlineAt - runStarted,
    };
  }
  return {
    ...baseResult(phase, entry),
    outcome: lifecycle.outcome,
    reason: lifecycle.reason,
    attempts: lifecycle.attempts,
  };
}
