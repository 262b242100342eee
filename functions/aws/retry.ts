import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * Retries for the IoT calls under the account's TPS quotas (10 TPS for DescribeCertificate and UpdateCertificate), and
 * for the idempotency table's calls (one per registration event).
 * Full jitter, capped at 2 s: a container that was refused comes back soon, so a token the quota frees is soon taken and
 * no onboarding sleeps for long. Measured with `bench:storm` (docs/benchmarks.md, "Retries under the quota"), the SDK's
 * own strategies waste the quota in a storm of 20 containers:
 * - adaptive mode's rate limiter is per container and per client: each cut to ~0.5 requests/s, the pipeline ran at
 *   0.76-0.85 of the bound (400 devices);
 * - standard mode's throttling backoff grows to 20 s (the last onboardings of a storm sat out 8-20 s sleeps), and its
 *   retry quota (500 tokens per client, 5 per throttled retry) runs dry: with ConfiguredRetryStrategy and this backoff,
 *   13,120 invocations of a 2,000-device storm failed at once and 159 events went to the DLQ.
 * Hence a strategy of our own (the SDK's documented RetryStrategyV2 extension point): attempts are the only bound, which
 * reserved concurrency and the function timeout already keep small.
 */
export const QUOTA_BACKOFF = { baseMs: 200, capMs: 2000 } as const;

/** Attempts of an IoT call: 16 are ~14 s of refusals on average (26 s at most) at the 2 s cap, within the 30 s timeout. */
export const IOT_ATTEMPTS = 16;

/** The delay before retry `attempt` (1 = the first retry); `random` returns a number in [0, 1). */
export function quotaBackoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(QUOTA_BACKOFF.capMs, QUOTA_BACKOFF.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Throttling and transient failures (timeouts, 500/502/503/504) are retried; a client error never is. */
const RETRYABLE = new Set<RetryErrorInfo['errorType']>(['THROTTLING', 'TRANSIENT']);

const token = (retryCount: number, delayMs: number): RetryToken => ({
  getRetryCount: () => retryCount,
  getRetryDelay: () => delayMs,
});

/** The IoT and idempotency-table clients' retry strategy: `maxAttempts` attempts in all, delays from `quotaBackoffMs`. */
export function quotaRetryStrategy(maxAttempts: number, random: () => number = Math.random): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => token(0, 0),
    refreshRetryTokenForRetry: async (previous: RetryToken, errorInfo: RetryErrorInfo) => {
      const retry = previous.getRetryCount() + 1;
      if (!RETRYABLE.has(errorInfo.errorType) || retry >= maxAttempts) {
        // The SDK's middleware answers a refusal with the call's own error.
        throw new Error('no retry left');
      }
      return token(retry, quotaBackoffMs(retry, random));
    },
    recordSuccess: () => {},
  };
}
