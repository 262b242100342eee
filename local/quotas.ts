/**
 * API rate limits. With `--quotas aws` each operation AWS documents a default rate for gets a token bucket of that
 * many requests per second (times `--quota-scale`), holding at most one second of burst. Over quota, the control plane
 * answers ThrottlingException so the SDK's retry logic engages.
 */

/** AWS IoT Core default API quotas, requests per second (../shared/DESIGN.md). */
export const AWS_DEFAULT_TPS: Readonly<Record<string, number>> = {
  DescribeCertificate: 10,
  UpdateCertificate: 10,
  CreateThing: 15,
  AttachPolicy: 15,
  AttachThingPrincipal: 15,
  ListThingPrincipals: 10,
  DeleteCertificate: 10,
  DescribeThing: 350,
  RegisterCertificate: 10,
};

export type QuotaMode = 'aws' | 'off';

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes one token if there is one; refills continuously at the rate. */
  tryTake(now: number): boolean {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class QuotaLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly mode: QuotaMode,
    readonly scale = 1,
    private readonly rates: Readonly<Record<string, number>> = AWS_DEFAULT_TPS,
  ) {
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new RangeError(`quota scale must be a positive number, got ${scale}`);
  }

  /** The scaled rate of an operation, or undefined when it is not limited. */
  rateOf(operation: string): number | undefined {
    if (this.mode === 'off') return undefined;
    const rate = this.rates[operation];
    return rate === undefined ? undefined : rate * this.scale;
  }

  /** True when the call may proceed. */
  tryAcquire(operation: string, now: number): boolean {
    const rate = this.rateOf(operation);
    if (rate === undefined) return true;
    let bucket = this.buckets.get(operation);
    if (!bucket) {
      bucket = new TokenBucket(rate, Math.max(1, rate), now);
      this.buckets.set(operation, bucket);
    }
    return bucket.tryTake(now);
  }
}
