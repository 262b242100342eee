import { describe, expect, it } from 'vitest';
import { classifyDlqMessage } from '../../../scripts/operator/dlq-message.js';

const event = {
  certificateId: 'a'.repeat(64),
  caCertificateId: 'b'.repeat(64),
  certificateStatus: 'PENDING_ACTIVATION',
  timestamp: 1_700_000_000_000,
};

describe('classifyDlqMessage', () => {
  it('takes the event from a Lambda on-failure destination record', () => {
    const body = JSON.stringify({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: event,
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      responsePayload: { errorType: 'FleetConfigError', errorMessage: 'fleet configuration is invalid' },
    });

    expect(classifyDlqMessage(body)).toEqual({
      kind: 'lambda-failure',
      event,
      detail: 'RetriesExhausted: FleetConfigError: fleet configuration is invalid',
    });
  });

  it('decodes the event of a rule errorAction message', () => {
    const body = JSON.stringify({
      ruleName: 'jitr_dev_x',
      topic: `$aws/events/certificates/registered/${event.caCertificateId}`,
      cloudwatchTraceId: 'trace',
      base64OriginalPayload: Buffer.from(JSON.stringify(event)).toString('base64'),
      failures: [{ failedAction: 'LambdaAction', failedResource: 'arn', errorMessage: 'Function not found' }],
    });

    expect(classifyDlqMessage(body)).toEqual({
      kind: 'rule-error',
      event,
      detail: 'jitr_dev_x: LambdaAction: Function not found',
    });
  });

  it('accepts a bare registration event', () => {
    expect(classifyDlqMessage(JSON.stringify(event))).toEqual({ kind: 'event', event });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[1,2]'],
    ['an unknown object', '{"a":1}'],
    ['a rule message whose payload is not JSON', '{"base64OriginalPayload":"bm90IGpzb24="}'],
  ])('does not recognise %s', (_name, body) => {
    expect(classifyDlqMessage(body).kind).toBe('unrecognised');
  });
});
