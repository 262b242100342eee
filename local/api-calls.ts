/**
 * reliability: counts control-plane calls per operation, for benchmarks that report what a run cost (a storm's calls
 * per device). Every request that names a known operation counts once, under how it ended at the door.
 */
export type CallFate = 'served' | 'throttled' | 'faulted';

export interface ApiCallCounts {
  /** Passed the quota and any injected fault: these are what a quota is spent on. */
  served: Record<string, number>;
  /** Refused by the quota (ThrottlingException). */
  throttled: Record<string, number>;
  /** Failed by an injected fault (throttle, 500, timeout). */
  faulted: Record<string, number>;
}

export class ApiCallCounter {
  private counts: ApiCallCounts = { served: {}, throttled: {}, faulted: {} };

  record(operation: string, fate: CallFate): void {
    const table = this.counts[fate];
    table[operation] = (table[operation] ?? 0) + 1;
  }

  /** A copy of the counts so far. */
  snapshot(): ApiCallCounts {
    return {
      served: { ...this.counts.served },
      throttled: { ...this.counts.throttled },
      faulted: { ...this.counts.faulted },
    };
  }

  reset(): void {
    this.counts = { served: {}, throttled: {}, faulted: {} };
  }
}
