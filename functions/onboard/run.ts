import type { FleetConfigSource } from '../fleet-config.js';
import type { Telemetry } from '../observability.js';
import { REASON } from './decide.js';
import { parseRegisteredEvent, type RegisteredEvent } from './event.js';
import type { InvocationContext, RegistrationGuard } from './once.js';
import { type SettledCertificates, settledKey } from './settled.js';
import { type Outcome, onboardCertificate, outcomeFields, type WorkflowDeps } from './workflow.js';

export interface OnboardDeps extends WorkflowDeps {
  config: Pick<FleetConfigSource, 'get'>;
  /** The container's Logger and Metrics (Powertools): one log line and the metrics of each decision. */
  telemetry: Telemetry;
  /** Certificates this container saw ACTIVE: a duplicate event for one is answered without an API call. */
  settled?: SettledCertificates;
  /** One handling per registration across containers (Powertools Idempotency on DynamoDB); absent for operator tools. */
  guard?: RegistrationGuard;
}

/** Reasons of a duplicate the idempotency layer dropped before any IoT call. */
export const DUPLICATE_REASON = {
  inProgress: 'REGISTRATION_IN_PROGRESS',
  handled: 'REGISTRATION_HANDLED',
} as const;

/** What the handler returns (and the local rules engine records): the decision without any certificate material. */
export type OnboardResult = Pick<Outcome, 'decision' | 'reasons'> &
  Partial<Pick<Outcome, 'certificateId' | 'thingName' | 'apiCalls' | 'retired' | 'crlReason' | 'crlProblem'>>;

/**
 * Handles one invocation: a malformed event is logged, counted and dropped (the reconciler still finds its certificate);
 * a broken fleet configuration or an IoT failure that outlived the SDK's retries is logged and thrown, so Lambda retries
 * the event and then sends it to the dead-letter queue.
 */
export async function handleRegisteredEvent(
  input: unknown,
  deps: OnboardDeps,
  context?: InvocationContext,
): Promise<OnboardResult> {
  const started = deps.now();
  const parsed = parseRegisteredEvent(input);
  if (!parsed.ok) {
    deps.telemetry.decision({
      decision: 'malformed',
      reasons: [REASON.malformedEvent],
      problems: parsed.problems.slice(0, 10),
      apiCalls: 0,
      apiDepth: 0,
      durationMs: deps.now() - started,
    });
    return { decision: 'malformed', reasons: [REASON.malformedEvent] };
  }
  const { event } = parsed;
  const key = settledKey(event);
  const duplicate = (reasons: string[]): OnboardResult => {
    deps.telemetry.decision({
      decision: 'duplicate',
      reasons,
      certificateId: event.certificateId,
      caCertificateId: event.caCertificateId,
      apiCalls: 0,
      apiDepth: 0,
      durationMs: deps.now() - started,
    });
    return { decision: 'duplicate', reasons, certificateId: event.certificateId, apiCalls: 0 };
  };
  if (deps.settled?.has(key)) return duplicate([REASON.alreadyActive]);
  if (deps.guard) {
    // Decisions that must be retried later (`deferred`) are not remembered: the next event for the key runs again.
    const guarded = await deps.guard.run(
      key,
      () => onboard(event, deps, started),
      (result) => result.decision !== 'deferred',
      context,
    );
    if (guarded.ran) return guarded.result;
    if (guarded.state === 'completed') deps.settled?.add(key);
    return duplicate([guarded.state === 'in-progress' ? DUPLICATE_REASON.inProgress : DUPLICATE_REASON.handled]);
  }
  return onboard(event, deps, started);
}

/** The onboarding itself: one decision line, or one error line and a throw (Lambda retries, then the DLQ). */
async function onboard(event: RegisteredEvent, deps: OnboardDeps, started: number): Promise<OnboardResult> {
  try {
    const config = await deps.config.get();
    const outcome = await onboardCertificate(event, config, deps);
    if (['onboarded', 'rotated', 'duplicate'].includes(outcome.decision)) deps.settled?.add(settledKey(event));
    deps.telemetry.decision({
      ...outcomeFields(outcome),
      ...(outcome.deviceId ? { deviceId: outcome.deviceId } : {}),
      ...(outcome.deleteDeferred.length > 0 ? { deleteDeferred: outcome.deleteDeferred } : {}),
      ...(outcome.crlReason ? { crlReason: outcome.crlReason } : {}),
      ...(outcome.crlProblem ? { crlProblem: outcome.crlProblem } : {}),
      durationMs: deps.now() - started,
    });
    return {
      decision: outcome.decision,
      reasons: outcome.reasons,
      certificateId: outcome.certificateId,
      ...(outcome.thingName ? { thingName: outcome.thingName } : {}),
      apiCalls: outcome.apiCalls,
      retired: outcome.retired,
      ...(outcome.crlReason ? { crlReason: outcome.crlReason } : {}),
      ...(outcome.crlProblem ? { crlProblem: outcome.crlProblem } : {}),
    };
  } catch (error) {
    deps.telemetry.failure(error, {
      certificateId: event.certificateId,
      caCertificateId: event.caCertificateId,
      durationMs: deps.now() - started,
    });
    throw error;
  }
}
