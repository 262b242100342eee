/**
 * What a message in the onboarding dead-letter queue holds. Two producers write there:
 * - the onboard function's on-failure destination: `{ requestContext, requestPayload, responseContext, responsePayload }`,
 *   with the rule's event as `requestPayload`;
 * - a topic rule's errorAction (the Lambda action itself failed): `{ ruleName, topic, base64OriginalPayload, failures, ... }`,
 *   with the event base64-encoded.
 * A bare registration event (someone copied one in) is accepted too. Pure.
 */
export type DlqMessage =
  | { kind: 'lambda-failure' | 'rule-error' | 'event'; event: unknown; detail?: string }
  | { kind: 'unrecognised'; problem: string };

export function classifyDlqMessage(body: string): DlqMessage {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { kind: 'unrecognised', problem: 'the body is not JSON' };
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    return { kind: 'unrecognised', problem: 'the body is not a JSON object' };
  }
  const record = document as Record<string, unknown>;
  if ('requestPayload' in record && ('requestContext' in record || 'responsePayload' in record)) {
    const context = record.requestContext as { condition?: unknown; approximateInvokeCount?: unknown } | undefined;
    const response = record.responsePayload as { errorType?: unknown; errorMessage?: unknown } | undefined;
    const detail = [context?.condition, response?.errorType, response?.errorMessage]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(': ');
    return { kind: 'lambda-failure', event: record.requestPayload, ...(detail ? { detail } : {}) };
  }
  if (typeof record.base64OriginalPayload === 'string') {
    let event: unknown;
    try {
      event = JSON.parse(Buffer.from(record.base64OriginalPayload, 'base64').toString('utf8'));
    } catch {
      return { kind: 'unrecognised', problem: 'the rule error message carries a payload that is not JSON' };
    }
    const failures = Array.isArray(record.failures) ? record.failures : [];
    const first = failures[0] as { failedAction?: unknown; errorMessage?: unknown } | undefined;
    const detail = [record.ruleName, first?.failedAction, first?.errorMessage]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(': ');
    return { kind: 'rule-error', event, ...(detail ? { detail } : {}) };
  }
  if (typeof record.certificateId === 'string' && typeof record.caCertificateId === 'string') {
    return { kind: 'event', event: record };
  }
  return { kind: 'unrecognised', problem: 'neither a Lambda on-failure record, a rule error message nor an event' };
}
