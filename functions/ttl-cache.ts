/**
 * A per-container cache whose entries expire after `ttlMs`; concurrent misses for one key share a single load. It holds
 * the onboarding workflow's DescribeCACertificate answers. SSM values go through Powertools Parameters' cache instead
 * (functions/aws/parameters.ts), but Powertools has no cache for other calls' results: its Parameters providers (even
 * one of our own on BaseProvider) never cache a missing value (here "no such CA", which must be cached too), wrap
 * every failure in GetParameterError, do not share one load between concurrent misses, and do not say whether a value
 * came from the cache (the workflow counts the IoT calls it made).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 256,
  ) {}

  /** Returns the cached value, or loads it; `hit` tells the caller whether an API call was made. */
  async get(key: string, load: () => Promise<V>): Promise<{ value: V; hit: boolean }> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return { value: await entry.value, hit: true };
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    try {
      return { value: await value, hit: false };
    } catch (error) {
      this.entries.delete(key); // never cache a failure
      throw error;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
