/**
 * A revoked device's Thing says so itself: `jitr revoke` rewrites its `jitr_ca` binding to `revoked:<CA it was bound
 * to>` (`revoked:unbound` for a Thing that had no binding, such as a vended one; `revoked:` alone for a Thing made only to
 * hold the mark). The onboarding Lambda reads the Thing on every onboarding, so no cached fleet configuration can let a
 * new certificate of the device in; `jitr readmit` restores what was there. The mark lives in the existing attribute
 * because a Thing without a thing type holds at most three attributes
 * (https://docs.aws.amazon.com/iot/latest/developerguide/thing-types.html), and the binding uses all three.
 */
export const REVOKED_PREFIX = 'revoked:';
const UNBOUND = 'unbound';

export function isRevokedBinding(boundCa: string | undefined): boolean {
  return boundCa?.startsWith(REVOKED_PREFIX) === true;
}

export function revokedBinding(boundCa: string | undefined): string {
  if (isRevokedBinding(boundCa)) return boundCa as string;
  return `${REVOKED_PREFIX}${boundCa ?? UNBOUND}`;
}

/** The mark of a Thing that `jitr revoke` created because the device had none. */
export const PLACEHOLDER_BINDING = REVOKED_PREFIX;

/** What the Thing had before its revocation: a CA binding, no binding, or nothing at all (a placeholder Thing). */
export type BindingBefore = { kind: 'bound'; ca: string } | { kind: 'unbound' } | { kind: 'placeholder' };

export function bindingBeforeRevocation(boundCa: string): BindingBefore {
  const original = boundCa.slice(REVOKED_PREFIX.length);
  if (original === '') return { kind: 'placeholder' };
  if (original === UNBOUND) return { kind: 'unbound' };
  return { kind: 'bound', ca: original };
}
