/**
 * A revoked device's Thing says so itself: `jitr revoke` rewrites its `jitr_ca` binding to `revoked:<CA it was bound
 * to>` (empty after the colon for a Thing made only to hold the mark). The onboarding Lambda reads the Thing on every
 * onboarding, so no cached fleet configuration can let a new certificate of the device in; `jitr readmit` restores the
 * binding. The mark lives in the existing attribute because a Thing without a thing type holds at most three
 * attributes (https://docs.aws.amazon.com/iot/latest/developerguide/thing-types.html), and the binding uses all three.
 */
export const REVOKED_PREFIX = 'revoked:';

export function isRevokedBinding(boundCa: string | undefined): boolean {
  return boundCa?.startsWith(REVOKED_PREFIX) === true;
}

export function revokedBinding(boundCa: string | undefined): string {
  if (isRevokedBinding(boundCa)) return boundCa as string;
  return `${REVOKED_PREFIX}${boundCa ?? ''}`;
}

/** The CA the Thing was bound to before its revocation; undefined for a Thing made only to hold the mark. */
export function bindingBeforeRevocation(boundCa: string): string | undefined {
  const original = boundCa.slice(REVOKED_PREFIX.length);
  return original === '' ? undefined : original;
}
