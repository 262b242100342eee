/**
 * Requests per key in a sliding window, per Lambda container. Vend keeps two: authenticated requests per device id
 * (one device, or someone holding its token, cannot hammer IoT through a warm container) and failed authentications
 * per source IP (an unauthenticated flood is stopped at its source, never charged to the device it names). The HTTP
 * API stage's throttling bounds the total across containers (serverless.yml). Memory is bounded: the oldest keys are
 * dropped past `maxKeys`.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly keyOf: (key: string) => string = (key) => key,
  ) {}

  /** How many seconds to wait when `key` is at its limit, else undefined. Records nothing. */
  retryAfter(key: string, now: number): number | undefined {
    const recent = this.recent(this.keyOf(key), now);
    if (recent.length < this.limit) return undefined;
    const oldest = recent[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
  }

  /** Counts one event for `key`. */
  record(key: string, now: number): void {
    const normalised = this.keyOf(key);
    const recent = this.recent(normalised, now);
    recent.push(now);
    this.hits.delete(normalised);
    this.hits.set(normalised, recent);
    if (this.hits.size > this.maxKeys) {
      const first = this.hits.keys().next().value;
      if (first !== undefined) this.hits.delete(first);
    }
  }

  /** Records a request; returns how many seconds to wait when over the limit (then nothing is recorded). */
  take(key: string, now: number): number | undefined {
    const wait = this.retryAfter(key, now);
    if (wait === undefined) this.record(key, now);
    return wait;
  }

  private recent(key: string, now: number): number[] {
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length > 0) this.hits.set(key, recent);
    else this.hits.delete(key);
    return recent;
  }
}

/** Per device id, case-insensitively: vend's Thing names are the lowercased device ids. */
export class DeviceRateLimiter extends SlidingWindowLimiter {
  constructor(limit: number, windowMs: number, maxKeys?: number) {
    super(limit, windowMs, maxKeys, (deviceId) => deviceId.toLowerCase());
  }
}
