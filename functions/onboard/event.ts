import * as z from 'zod/mini';

/**
 * The event AWS IoT publishes on `$aws/events/certificates/registered/<caCertificateId>` when it auto-registers a
 * device certificate (JITR), as a topic rule `SELECT * FROM ...` hands it to the Lambda.
 */
const hex64 = z.string().check(z.toLowerCase(), z.regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'));

/**
 * `timestamp` and `certificateRegistrationTimestamp` are epoch milliseconds. AWS documents the event with `timestamp`
 * a number and `certificateRegistrationTimestamp` a string
 * (https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html); both have been seen as
 * strings of digits, as numbers and as null. Every variant reads the same: a number, or undefined for null / absent,
 * so that the same registration gives the same duplicate-cache key whichever form it arrived in.
 */
const epochMillis = z.pipe(
  z.nullish(
    z.union([
      z.number().check(z.minimum(0)),
      z.pipe(z.string().check(z.regex(/^\d{1,16}$/, 'must be epoch milliseconds')), z.transform(Number)),
    ]),
  ),
  z.transform((value) => value ?? undefined),
);

export const RegisteredEventSchema = z.object({
  certificateId: hex64,
  caCertificateId: hex64,
  certificateStatus: z.string().check(z.minLength(1), z.maxLength(64)),
  timestamp: z.optional(epochMillis),
  awsAccountId: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'))),
  certificateRegistrationTimestamp: z.optional(epochMillis),
});

export type RegisteredEvent = z.output<typeof RegisteredEventSchema>;

export type EventParse = { ok: true; event: RegisteredEvent } | { ok: false; problems: string[] };

/**
 * Accepts the rule's payload, or the same payload wrapped by a Lambda on-failure destination record
 * (`{ requestPayload: ... }`) when `jitr replay` re-drives the dead-letter queue.
 */
export function parseRegisteredEvent(input: unknown): EventParse {
  const payload = unwrapDestinationRecord(input);
  const result = RegisteredEventSchema.safeParse(payload);
  if (result.success) return { ok: true, event: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`),
  };
}

function unwrapDestinationRecord(input: unknown): unknown {
  if (typeof input === 'string') {
    try {
      return unwrapDestinationRecord(JSON.parse(input));
    } catch {
      return input;
    }
  }
  if (input && typeof input === 'object' && 'requestPayload' in input) {
    return (input as { requestPayload: unknown }).requestPayload;
  }
  return input;
}
