import { describe, expect, it } from 'vitest';
import { DeviceRateLimiter } from '../../../../functions/vend/rate-limit.js';

describe('DeviceRateLimiter', () => {
  it('lets `limit` requests per device through in a window, then says how long to wait', () => {
    const limiter = new DeviceRateLimiter(3, 60_000);

    const answers = [0, 1, 2, 3].map((i) => limiter.take('Dev', 1_000 + i));

    expect(answers).toEqual([undefined, undefined, undefined, 60]);
  });

  it('counts device ids case-insensitively and separately from each other', () => {
    const limiter = new DeviceRateLimiter(1, 60_000);
    limiter.take('dev', 0);

    expect(limiter.take('DEV', 1)).toBeDefined();
    expect(limiter.take('other', 1)).toBeUndefined();
  });

  it('lets a device in again once its oldest request leaves the window', () => {
    const limiter = new DeviceRateLimiter(2, 10_000);
    limiter.take('d', 0);
    limiter.take('d', 5_000);

    expect(limiter.take('d', 9_999)).toBe(1);
    expect(limiter.take('d', 10_001)).toBeUndefined();
  });

  it('forgets the oldest device ids past its memory bound', () => {
    const limiter = new DeviceRateLimiter(1, 60_000, 2);
    limiter.take('a', 0);
    limiter.take('b', 0);
    limiter.take('c', 0);

    expect(limiter.take('a', 1)).toBeUndefined();
    expect(limiter.take('c', 1)).toBeDefined();
  });
});
