import { X509Certificate } from 'node:crypto';
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import {
  type AttemptOutcome,
  type CertificateState,
  type CertificateStateLookup,
  type DeviceIdentity,
  type DeviceOutcome,
  REASONS,
} from './model.js';

/** What a device's boot needs from the outside world; injected so the loop is testable without sockets or clocks. */
export interface LifecycleDeps {
  /** One connection attempt: TLS, CONNECT, telemetry with QoS 1. */
  attempt: () => Promise<AttemptOutcome>;
  /** The registry's view of the device's certificate (absent: the device cannot tell a refusal from a JITR drop). */
  certificateState?: CertificateStateLookup;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface LifecyclePolicy {
  /** The device gives up at this instant (epoch ms). */
  deadline: number;
  backoff?: BackoffPolicy;
  /** Ask the registry about the certificate after this many failed attempts (and after each one from then on). */
  rejectAfter?: number;
}

export type Lifecycle =
  | {
      outcome: Extract<DeviceOutcome, 'online'>;
      attempts: number;
      startedAt: number;
      onlineAt: number;
      session: Extract<AttemptOutcome, { kind: 'online' }>;
    }
  | { outcome: Exclude<DeviceOutcome, 'online'>; attempts: number; startedAt: number; reason: string };

export const DEFAULT_REJECT_AFTER = 3;

/**
 * The rejection rule. A device that is not online is **rejected** when the registry holds its certificate REVOKED, or
 * has never registered it although the device connected `rejectAfter` times (AWS IoT registers a certificate from a
 * trusted CA on first contact, so one still unknown was refused at the handshake). Anything else is not final: the device
 * keeps trying, and is **failed** if it is still not online at its deadline.
 */
export function rejection(state: CertificateState, identity: Pick<DeviceIdentity, 'certificatePem'>, at: number) {
  if (state === 'REVOKED') return REASONS.revoked;
  if (state === 'NOT_FOUND') return refusalHint(identity.certificatePem, at);
  return undefined;
}

/** Why a certificate the registry never saw was refused, as far as the device itself can tell. */
export function refusalHint(certificatePem: string, at: number): string {
  try {
    const certificate = new X509Certificate(certificatePem);
    if (Date.parse(certificate.validTo) < at) return REASONS.expired;
    if (Date.parse(certificate.validFrom) > at) return REASONS.notYetValid;
  } catch {
    // An unreadable certificate is refused for that; the registry's answer is all we can report.
  }
  return REASONS.notRegistered;
}

function failureReason(state: CertificateState | undefined, last: AttemptOutcome | undefined): string {
  if (last?.kind === 'publish-refused') return REASONS.publishRefused;
  switch (state) {
    case 'PENDING_ACTIVATION':
      return REASONS.stillPending;
    case 'ACTIVE':
      return REASONS.connectRefused;
    case 'INACTIVE':
      return REASONS.inactive;
    default:
      return REASONS.timeout;
  }
}

/** Boots one device: connect, expect the JITR drop, back off with full jitter, retry until online, rejected or out of time. */
export async function bringOnline(
  identity: DeviceIdentity,
  deps: LifecycleDeps,
  policy: LifecyclePolicy,
): Promise<Lifecycle> {
  const rejectAfter = policy.rejectAfter ?? DEFAULT_REJECT_AFTER;
  const startedAt = deps.now();
  let attempts = 0;
  let state: CertificateState | undefined;
  let last: AttemptOutcome | undefined;
  for (;;) {
    attempts++;
    last = await deps.attempt();
    if (last.kind === 'online') return { outcome: 'online', attempts, startedAt, onlineAt: deps.now(), session: last };
    if (deps.certificateState && attempts >= rejectAfter) {
      state = await deps.certificateState(identity.certificateId);
      const reason = rejection(state, identity, deps.now());
      if (reason) return { outcome: 'rejected', attempts, startedAt, reason };
    }
    const delay = backoffDelay(attempts - 1, policy.backoff ?? DEFAULT_BACKOFF, deps.random);
    if (deps.now() + delay >= policy.deadline) {
      return { outcome: 'failed', attempts, startedAt, reason: failureReason(state, last) };
    }
    await deps.sleep(delay);
  }
}
