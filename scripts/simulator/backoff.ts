/**
 * Reconnect delays for simulated devices: exponential backoff with full jitter (a uniformly random delay between 0 and
 * min(cap, base * 2^attempt)). A fleet that boots at once then spreads its retries instead of hammering the endpoint
 * in lockstep, which a fixed period (mqtt.js's 1 s default) does.
 */
export interface BackoffPolicy {
  /** Upper bound of the first retry's delay. */
  baseMs: number;
  /** No delay is ever longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 16_000 };

/** The delay before retry number `attempt` (0 = the first retry). `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}
