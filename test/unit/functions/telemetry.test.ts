import { describe, expect, it } from 'vitest';
import { decisionLine } from '../../../functions/telemetry.js';

const base = { service: 'onboard' as const, apiCalls: 6, apiDepth: 5, durationMs: 42, certificateId: 'c'.repeat(64) };

describe('decisionLine', () => {
  it('is one EMF document counting the decision and its latency', () => {
    const line = decisionLine(
      { ...base, decision: 'onboarded', reasons: [], thingName: 'dev-1' },
      'Jitr',
      1_700_000_000_000,
    );

    expect(line).toMatchObject({
      decision: 'onboarded',
      thingName: 'dev-1',
      Onboarded: 1,
      Latency: 42,
      Service: 'onboard',
    });
    expect(line._aws).toEqual({
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'Jitr',
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'Onboarded', Unit: 'Count' },
            { Name: 'Latency', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
  });

  it('counts a rejection by its first reason and flags a security event', () => {
    const line = decisionLine(
      { ...base, decision: 'rejected', reasons: ['THING_BOUND_TO_OTHER_CA'], security: true },
      'Jitr',
      0,
    );

    expect(line).toMatchObject({ level: 'WARN', Rejected: 1, SecurityEvent: 1, Reason: 'THING_BOUND_TO_OTHER_CA' });
    expect(JSON.stringify(line._aws)).toContain('"Dimensions":[["Service","Reason"]]');
  });

  it('carries no certificate material', () => {
    const line = decisionLine({ ...base, decision: 'duplicate', reasons: ['ALREADY_ACTIVE'] }, 'Jitr', 0);

    expect(JSON.stringify(line)).not.toMatch(/BEGIN|PRIVATE|certificatePem/);
  });
});
