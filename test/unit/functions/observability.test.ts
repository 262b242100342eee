import { describe, expect, it } from 'vitest';
import { capturedTelemetry } from '../../helpers/telemetry.js';

const base = { apiCalls: 6, apiDepth: 5, durationMs: 42, certificateId: 'c'.repeat(64) };

/** The CloudWatch metric/dimension combinations an EMF document declares: `Name [Dim,Dim]`. */
function combinations(documents: Record<string, unknown>[]): string[] {
  return documents.flatMap((document) => {
    const { CloudWatchMetrics } = document._aws as {
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
    };
    return CloudWatchMetrics.flatMap((directive) =>
      directive.Dimensions.flatMap((dimensions) =>
        directive.Metrics.map(
          (metric) => `${directive.Namespace} ${metric.Name}/${metric.Unit} [${dimensions.join(',')}]`,
        ),
      ),
    );
  });
}

describe('powertoolsTelemetry', () => {
  it('logs a decision as one JSON line and counts it with its latency under the Service dimension (EMF)', () => {
    const { telemetry, lines, metrics } = capturedTelemetry('onboard');

    telemetry.decision({ ...base, decision: 'onboarded', reasons: [], thingName: 'dev-1' });

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: 'onboard',
        message: 'decision: onboarded',
        decision: 'onboarded',
        reasons: [],
        thingName: 'dev-1',
        apiCalls: 6,
      }),
    ]);
    expect(combinations(metrics)).toEqual(['Jitr Onboarded/Count [Service]', 'Jitr Latency/Milliseconds [Service]']);
    expect(metrics[0]).toMatchObject({ Service: 'onboard', Onboarded: 1, Latency: 42 });
    // Every value a directive names is at the top level of its document, as EMF requires.
    expect(metrics[0]).not.toHaveProperty('service');
  });

  it('counts a rejection by its first reason in a document of its own, and flags a security event', () => {
    const { telemetry, lines, metrics } = capturedTelemetry('onboard', 'Custom');

    telemetry.decision({
      ...base,
      decision: 'rejected',
      reasons: ['THING_BOUND_TO_OTHER_CA', 'SECOND'],
      security: true,
      retired: ['a', 'b'],
      crlProblem: 'CRL_UNREACHABLE',
    });

    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', security: true, decision: 'rejected' })]);
    expect(combinations(metrics)).toEqual([
      'Custom Rejected/Count [Service]',
      'Custom Latency/Milliseconds [Service]',
      'Custom SecurityEvent/Count [Service]',
      'Custom Retired/Count [Service]',
      'Custom CrlUnavailable/Count [Service]',
      'Custom Rejected/Count [Service,Reason]',
    ]);
    expect(metrics[0]).toMatchObject({ Rejected: 1, SecurityEvent: 1, Retired: 2, CrlUnavailable: 1 });
    expect(metrics[1]).toMatchObject({ Service: 'onboard', Reason: 'THING_BOUND_TO_OTHER_CA', Rejected: 1 });
    expect(metrics[1]).not.toHaveProperty('Latency');
  });

  it('counts deferred, superseded and malformed events as Ignored, and vend outcomes by their own metrics', () => {
    const onboard = capturedTelemetry('onboard');
    const vend = capturedTelemetry('vend');

    onboard.telemetry.decision({ ...base, decision: 'malformed', reasons: ['MALFORMED_EVENT'] });
    vend.telemetry.decision({ ...base, decision: 'resumed', reasons: [] });

    expect(onboard.metrics.at(-1)).toMatchObject({ Ignored: 1, Reason: 'MALFORMED_EVENT', Service: 'onboard' });
    expect(combinations(vend.metrics)).toContain('Jitr Provisioned/Count [Service]');
    expect(vend.metrics[0]).toMatchObject({ Service: 'vend' });
  });

  it('takes its log level from POWERTOOLS_LOG_LEVEL: at WARN a decision writes no log line, its metrics still', () => {
    const saved = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    try {
      const { telemetry, lines, metrics } = capturedTelemetry('onboard');

      telemetry.decision({ ...base, decision: 'onboarded', reasons: [] });
      telemetry.failure(new Error('boom'));

      expect(lines).toEqual([expect.objectContaining({ level: 'ERROR', message: 'boom' })]);
      expect(metrics).toEqual([expect.objectContaining({ Onboarded: 1 })]);
    } finally {
      if (saved === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
      else process.env.POWERTOOLS_LOG_LEVEL = saved;
    }
  });

  it('logs a failure as one ERROR line with the error name and its stable code', () => {
    const { telemetry, lines, metrics } = capturedTelemetry('reconcile');
    const error = Object.assign(new Error('fleet configuration is not valid JSON'), { code: 'FLEET_CONFIG_INVALID' });

    telemetry.failure(error, { durationMs: 3 });

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        service: 'reconcile',
        message: 'fleet configuration is not valid JSON',
        error: 'Error',
        code: 'FLEET_CONFIG_INVALID',
        durationMs: 3,
      }),
    ]);
    expect(metrics).toEqual([]);
  });
});
