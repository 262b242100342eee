/**
 * Requests per device id in a sliding window, per Lambda container. It stops one device (or someone guessing its
 * token) from hammering IoT through a warm container; the HTTP API stage's throttling bounds the total across
 * containers (serverless.yml). Memory is bounded: the oldest device ids are dropped past `maxKeys`.
 */
export class DeviceRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Records a request; returns how many seconds to wait when over the limit, else undefined. */
  take(deviceId: string, now: number): number | undefined {
    const key = deviceId.toLowerCase();
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      const oldest = recent[0] ?? now;
      return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.hits.delete(key);
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) {
      const first = this.hits.keys().next().value;
      if (first !== undefined) this.hits.delete(first);
    }
    return undefined;
  }
}
