import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRegisteredEvent } from '../../../../functions/onboard/event.js';
import { settledKey } from '../../../../functions/onboard/settled.js';

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

  // https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html documents `"timestamp": timestamp`
  // (a number) and `"certificateRegistrationTimestamp": "..."` (a string); both have been seen as digit strings, numbers
  // and null. Each variant parses to the same number (or undefined for null).
  it.each([
    ['a number', 1_700_000_000_123, 1_700_000_000_123],
    ['a string of digits', '1700000000123', 1_700_000_000_123],
    ['null', null, undefined],
    ['absent', undefined, undefined],
  ])('accepts timestamp as %s', (_what, timestamp, expected) => {
    const parsed = parseRegisteredEvent({ ...event, timestamp });

    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.event.timestamp).toBe(expected);
  });

  it.each([
    ['a string of digits (documented)', '1700000000123', 1_700_000_000_123],
    ['a number', 1_700_000_000_123, 1_700_000_000_123],
    ['null', null, undefined],
    ['absent', undefined, undefined],
  ])('accepts certificateRegistrationTimestamp as %s', (_what, certificateRegistrationTimestamp, expected) => {
    const parsed = parseRegisteredEvent({ ...event, certificateRegistrationTimestamp });

    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.event.certificateRegistrationTimestamp).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['a negative number', -1],
    ['digits with a sign', '+1700000000000'],
    ['an ISO date', '2026-12-02T00:00:00Z'],
    ['a boolean', true],
  ])('refuses certificateRegistrationTimestamp as %s', (_what, certificateRegistrationTimestamp) => {
    const parsed = parseRegisteredEvent({ ...event, certificateRegistrationTimestamp });

    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.join(' ')).toContain('certificateRegistrationTimestamp');
  });

  it('reads a registration the same in every form, so duplicates share one cache key (property)', () => {
    const asSent = (millis: number, asString: boolean): unknown => (asString ? String(millis) : millis);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9_999_999_999_999 }),
        fc.integer({ min: 0, max: 9_999_999_999_999 }),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.boolean(), { nil: null }),
        (registered, seen, firstAsString, secondAsString, timestampAsString) => {
          const keys = [firstAsString, secondAsString].map((asString) => {
            const parsed = parseRegisteredEvent({
              ...event,
              timestamp: timestampAsString === null ? null : asSent(seen, timestampAsString),
              certificateRegistrationTimestamp: asSent(registered, asString),
            });
            if (!parsed.ok) throw new Error(parsed.problems.join('; '));
            expect(parsed.event.certificateRegistrationTimestamp).toBe(registered);
            expect(parsed.event.timestamp).toBe(timestampAsString === null ? undefined : seen);
            return settledKey(parsed.event);
          });
          expect(keys[0]).toBe(keys[1]);
          expect(keys[0]).toBe(`${'c'.repeat(64)}@${registered}`);
        },
      ),
    );
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
