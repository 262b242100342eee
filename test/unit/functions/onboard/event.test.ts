import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRegisteredEvent } from '../../../../functions/onboard/event.js';

const event = {
  certificateId: 'C'.repeat(64),
  caCertificateId: 'a'.repeat(64),
  timestamp: 1_700_000_000_000,
  certificateStatus: 'PENDING_ACTIVATION',
  awsAccountId: '000000000000',
  certificateRegistrationTimestamp: '1700000000000',
};

describe('parseRegisteredEvent', () => {
  it('accepts the JITR event and lowercases the ids', () => {
    const parsed = parseRegisteredEvent(event);

    expect(parsed).toMatchObject({
      ok: true,
      event: { certificateId: 'c'.repeat(64), certificateRegistrationTimestamp: 1_700_000_000_000 },
    });
  });

  it('unwraps a Lambda on-failure destination record, as `jitr replay` re-drives it', () => {
    const record = { version: '1.0', requestContext: { condition: 'RetriesExhausted' }, requestPayload: event };

    expect(parseRegisteredEvent(record).ok).toBe(true);
    expect(parseRegisteredEvent(JSON.stringify(record)).ok).toBe(true);
  });

  it.each([
    ['a missing certificateId', { ...event, certificateId: undefined }],
    ['a short caCertificateId', { ...event, caCertificateId: 'abc' }],
    ['a non-numeric timestamp', { ...event, timestamp: 'yesterday' }],
    ['an account id that is not 12 digits', { ...event, awsAccountId: '12' }],
    ['null', null],
    ['a string that is not JSON', 'hello'],
  ])('reports %s as malformed with the field at fault', (_what, input) => {
    const parsed = parseRegisteredEvent(input);

    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.length).toBeGreaterThan(0);
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const parsed = parseRegisteredEvent(input);
        expect(typeof parsed.ok).toBe('boolean');
      }),
    );
  });
});
