/** A per-container cache whose entries expire after `ttlMs`; concurrent misses for one key share a single load. */
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
