import type { RetryErrorInfo, RetryStrategyV2 } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { dynamoClient, iotClient } from '../../../functions/aws/clients.js';
import { IOT_ATTEMPTS, QUOTA_BACKOFF, quotaBackoffMs, quotaRetryStrategy } from '../../../functions/aws/retry.js';

const failure = (errorType: RetryErrorInfo['errorType']): RetryErrorInfo => ({ errorType });
const top = () => 0.999_999;

describe('quotaBackoffMs', () => {
  it('draws a full-jitter delay under a ceiling that doubles from 200 ms and stops at 2 s', () => {
    expect([1, 2, 3, 4, 5, 6, 12].map((attempt) => quotaBackoffMs(attempt, top))).toEqual([
      199, 399, 799, 1599, 1999, 1999, 1999,
    ]);
    expect(quotaBackoffMs(7, () => 0)).toBe(0);
    expect(quotaBackoffMs(3, () => 0.5)).toBe(400);
    expect(QUOTA_BACKOFF.capMs).toBe(2000);
  });
});

describe('quotaRetryStrategy', () => {
  it('retries a throttled or transient call after its own delay, up to the attempts it was given', async () => {
    const strategy = quotaRetryStrategy(4, top);
    let token = await strategy.acquireInitialRetryToken('iot');
    const delays: number[] = [];
    for (const errorType of ['THROTTLING', 'TRANSIENT', 'THROTTLING'] as const) {
      token = await strategy.refreshRetryTokenForRetry(token, failure(errorType));
      delays.push(token.getRetryDelay());
    }

    expect(delays).toEqual([199, 399, 799]);
    expect(token.getRetryCount()).toBe(3);
    await expect(strategy.refreshRetryTokenForRetry(token, failure('THROTTLING'))).rejects.toThrow();
  });

  it('never retries a client error (an invalid request stays invalid)', async () => {
    const strategy = quotaRetryStrategy(12);
    const token = await strategy.acquireInitialRetryToken('iot');

    await expect(strategy.refreshRetryTokenForRetry(token, failure('CLIENT_ERROR'))).rejects.toThrow();
  });

  it('has no retry budget to run dry: a storm of throttled calls keeps every call its attempts', async () => {
    const strategy = quotaRetryStrategy(3, () => 0);
    for (let call = 0; call < 1000; call++) {
      let token = await strategy.acquireInitialRetryToken('iot');
      token = await strategy.refreshRetryTokenForRetry(token, failure('THROTTLING'));
      token = await strategy.refreshRetryTokenForRetry(token, failure('THROTTLING'));
      expect(token.getRetryCount()).toBe(2);
    }
  });
});

describe("the Lambda's IoT client", () => {
  it('retries with the quota strategy: delays capped at 2 s, IOT_ATTEMPTS attempts in all', async () => {
    const strategy = (await iotClient().config.retryStrategy()) as RetryStrategyV2;
    let token = await strategy.acquireInitialRetryToken('iot');
    const delays: number[] = [];
    for (let retry = 1; retry < IOT_ATTEMPTS; retry++) {
      token = await strategy.refreshRetryTokenForRetry(token, failure('THROTTLING'));
      delays.push(token.getRetryDelay());
    }

    expect(Math.max(...delays)).toBeLessThan(QUOTA_BACKOFF.capMs);
    expect(IOT_ATTEMPTS).toBe(16);
    await expect(strategy.refreshRetryTokenForRetry(token, failure('THROTTLING'))).rejects.toThrow();
  });
});

describe("the Lambda's idempotency table client", () => {
  it('retries a throttled or failed DynamoDB call the same way, 8 attempts in all', async () => {
    const strategy = (await dynamoClient().config.retryStrategy()) as RetryStrategyV2;
    let token = await strategy.acquireInitialRetryToken('dynamodb');
    for (let retry = 1; retry < 8; retry++) {
      token = await strategy.refreshRetryTokenForRetry(token, failure(retry % 2 ? 'TRANSIENT' : 'THROTTLING'));
      expect(token.getRetryDelay()).toBeLessThan(QUOTA_BACKOFF.capMs);
    }

    await expect(strategy.refreshRetryTokenForRetry(token, failure('TRANSIENT'))).rejects.toThrow();
  });
});
