import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogram, onlineTimeline, percentile, percentiles } from '../../../scripts/simulator/stats.js';

describe('percentiles', () => {
  it('uses the nearest rank: p50 of 1..10 is 5, p90 is 9, p99 and max are 10', () => {
    const samples = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    expect(percentiles(samples)).toEqual({ p50: 5, p90: 9, p99: 10, max: 10 });
  });

  it('gives nothing for no samples and the sample itself for one', () => {
    expect(percentiles([])).toBeUndefined();
    expect(percentiles([42])).toEqual({ p50: 42, p90: 42, p99: 42, max: 42 });
  });

  it('always returns one of the samples, ordered p50 <= p90 <= p99 <= max', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 200 }), (samples) => {
        const p = percentiles(samples);
        if (!p) return false;
        const sorted = [...samples].sort((a, b) => a - b);
        return (
          [p.p50, p.p90, p.p99, p.max].every((v) => samples.includes(v)) &&
          p.p50 <= p.p90 &&
          p.p90 <= p.p99 &&
          p.p99 <= p.max &&
          p.max === sorted[sorted.length - 1] &&
          percentile(sorted, 100) === p.max
        );
      }),
    );
  });
});

describe('histogram', () => {
  it('puts every sample in exactly one bin, the largest in the last', () => {
    const bins = histogram([0, 1, 2, 3, 4, 10], 5);
    expect(bins).toHaveLength(5);
    expect(bins.map((bin) => bin.count)).toEqual([2, 2, 1, 0, 1]);
    expect(bins[4]?.to).toBe(10);
  });

  it('keeps the sample count for any input', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 300 }), (samples) => {
        const total = histogram(samples, 7).reduce((sum, bin) => sum + bin.count, 0);
        return total === samples.length;
      }),
    );
  });

  it('handles all-zero samples', () => {
    expect(histogram([0, 0, 0], 4).map((bin) => bin.count)).toEqual([3, 0, 0, 0]);
  });
});

describe('onlineTimeline', () => {
  it('counts devices online after each change, in time order, merging simultaneous changes', () => {
    const timeline = onlineTimeline([
      { atMs: 300, delta: 1 },
      { atMs: 100, delta: 1 },
      { atMs: 300, delta: 1 },
      { atMs: 500, delta: -1 },
    ]);
    expect(timeline).toEqual([
      { atMs: 0, online: 0 },
      { atMs: 100, online: 1 },
      { atMs: 300, online: 3 },
      { atMs: 500, online: 2 },
    ]);
  });
});
