import { describe, expect, it } from 'vitest';
import { AWS_DEFAULT_TPS, QuotaLimiter, TokenBucket } from '../../../local/quotas.js';

const T0 = 1_000_000;

describe('TokenBucket', () => {
  it('lets a burst of its capacity through, then refuses', () => {
    const bucket = new TokenBucket(10, 10, T0);
    const taken = Array.from({ length: 12 }, () => bucket.tryTake(T0));
    expect(taken.filter(Boolean)).toHaveLength(10);
  });

  it('refills at its rate', () => {
    const bucket = new TokenBucket(10, 10, T0);
    for (let i = 0; i < 10; i++) bucket.tryTake(T0);
    expect(bucket.tryTake(T0 + 50)).toBe(false);
    expect(bucket.tryTake(T0 + 100)).toBe(true);
    expect(bucket.tryTake(T0 + 100)).toBe(false);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const bucket = new TokenBucket(10, 10, T0);
    const later = T0 + 3_600_000;
    expect(Array.from({ length: 11 }, () => bucket.tryTake(later)).filter(Boolean)).toHaveLength(10);
  });
});

describe('QuotaLimiter', () => {
  it('limits documented operations at the AWS default rate', () => {
    const limiter = new QuotaLimiter('aws');
    const passed = Array.from({ length: 20 }, () => limiter.tryAcquire('UpdateCertificate', T0)).filter(Boolean);
    expect(passed).toHaveLength(AWS_DEFAULT_TPS.UpdateCertificate ?? 0);
  });

  it('scales the rates by the quota scale', () => {
    const limiter = new QuotaLimiter('aws', 2);
    expect(limiter.rateOf('CreateThing')).toBe(30);
    const passed = Array.from({ length: 40 }, () => limiter.tryAcquire('CreateThing', T0)).filter(Boolean);
    expect(passed).toHaveLength(30);
  });

  it('keeps one bucket per operation', () => {
    const limiter = new QuotaLimiter('aws', 0.1);
    expect(limiter.tryAcquire('UpdateCertificate', T0)).toBe(true);
    expect(limiter.tryAcquire('UpdateCertificate', T0)).toBe(false);
    expect(limiter.tryAcquire('DescribeCertificate', T0)).toBe(true);
  });

  it('does not limit operations without a documented default, nor anything when off', () => {
    const aws = new QuotaLimiter('aws');
    const off = new QuotaLimiter('off');
    expect(Array.from({ length: 1000 }, () => aws.tryAcquire('GetRegistrationCode', T0)).every(Boolean)).toBe(true);
    expect(Array.from({ length: 1000 }, () => off.tryAcquire('UpdateCertificate', T0)).every(Boolean)).toBe(true);
  });

  it('refuses a scale that is not a positive number', () => {
    expect(() => new QuotaLimiter('aws', 0)).toThrow(RangeError);
    expect(() => new QuotaLimiter('aws', Number.NaN)).toThrow(RangeError);
  });
});
