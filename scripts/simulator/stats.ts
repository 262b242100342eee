/** Summary statistics of a simulation run: pure functions over the per-device results. */

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (the smallest value with at least p% of the samples at or below it); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** p50/p90/p99/max of the samples, or undefined when there are none. */
export function percentiles(samples: readonly number[]): Percentiles | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] as number,
  };
}

export interface HistogramBin {
  /** Inclusive lower bound. */
  from: number;
  /** Exclusive upper bound (the last bin includes it). */
  to: number;
  count: number;
}

/** Equal-width bins from 0 to the largest sample; every sample lands in exactly one bin. */
export function histogram(samples: readonly number[], bins = 20): HistogramBin[] {
  if (samples.length === 0) return [];
  const max = Math.max(...samples);
  const width = max > 0 ? max / bins : 1;
  const result: HistogramBin[] = Array.from({ length: bins }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width,
    count: 0,
  }));
  for (const sample of samples) {
    const index = Math.min(bins - 1, Math.max(0, Math.floor(sample / width)));
    (result[index] as HistogramBin).count++;
  }
  return result;
}

/** A device came online (+1) or went offline (-1) at `atMs` after the run started. */
export interface OnlineChange {
  atMs: number;
  delta: 1 | -1;
}

export interface TimelinePoint {
  atMs: number;
  online: number;
}

/** The number of devices online after each change, in time order (a step function starting at 0). */
export function onlineTimeline(changes: readonly OnlineChange[]): TimelinePoint[] {
  const ordered = [...changes].sort((a, b) => a.atMs - b.atMs);
  const points: TimelinePoint[] = [{ atMs: 0, online: 0 }];
  let online = 0;
  for (const change of ordered) {
    online += change.delta;
    const last = points[points.length - 1] as TimelinePoint;
    if (last.atMs === change.atMs) last.online = online;
    else points.push({ atMs: change.atMs, online });
  }
  return points;
}
