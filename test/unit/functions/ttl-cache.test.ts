import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../functions/ttl-cache.js';

describe('TtlCache', () => {
  it('loads once for concurrent misses of a key and serves hits until the TTL passes', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string>(1000, () => now);
    const load = async () => {
      loads++;
      return 'ca';
    };

    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    const hit = await cache.get('k', load);
    now = 1001;
    const reloaded = await cache.get('k', load);

    expect([a.hit, b.hit, hit.hit, reloaded.hit]).toEqual([false, true, true, false]);
    expect(loads).toBe(2);
  });

  it('never caches a failed load', async () => {
    const cache = new TtlCache<string>(60_000);

    await expect(cache.get('k', async () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
    await expect(cache.get('k', async () => 'ok')).resolves.toEqual({ value: 'ok', hit: false });
  });
});
