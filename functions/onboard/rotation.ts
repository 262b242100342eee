import type { CertificateFacts } from './model.js';

const HOUR_MS = 3_600_000;

export interface RotationPolicy {
  graceHours: number;
  maxCertificatesPerThing: number;
  /** Whether a certificate's CA belongs to the same owner (this CA or one it rolled over from). */
  sameOwner: (caCertificateId: string | undefined) => boolean;
  now: number;
}

export interface RotationPlan {
  /** The candidate certificate may be attached and activated. */
  keepCandidate: boolean;
  /** Certificates of the Thing to retire (never the candidate). */
  retire: CertificateFacts[];
}

/** Oldest first: by notBefore, then registration time, then certificateId so the order is total and deterministic. */
export function olderFirst(a: CertificateFacts, b: CertificateFacts): number {
  return (
    a.notBefore - b.notBefore ||
    a.registeredAt - b.registeredAt ||
    (a.certificateId < b.certificateId ? -1 : a.certificateId > b.certificateId ? 1 : 0)
  );
}

/**
 * Decides which of a Thing's certificates stay live when `candidate` (a newly registered certificate of the same device)
 * joins them. `siblings` are the Thing's other certificates.
 *
 * - A certificate is superseded from the moment a newer one (by notBefore) registered; it stays valid for the grace
 *   window after that (devices that renew daily and reboot often present yesterday's certificate for a while).
 * - Past the grace window, or past its notAfter, it is retired.
 * - At most `maxCertificatesPerThing` stay live: the newest ones.
 * Newer certificates are never retired because of an older one: an event arriving late for an old certificate can only
 * retire or refuse that old certificate itself.
 * Certificates of other owners and certificates in other states (REVOKED, PENDING_ACTIVATION in flight) are left alone,
 * except INACTIVE ones still attached, which are half-retired and get finished.
 */
export function planRotation(
  candidate: CertificateFacts,
  siblings: CertificateFacts[],
  policy: RotationPolicy,
): RotationPlan {
  const others = siblings.filter((sibling) => sibling.certificateId !== candidate.certificateId);
  const { live, kept, halfRetired } = classify([candidate], others, policy);
  const retire = [
    ...live.filter((certificate) => certificate !== candidate && !kept.has(certificate.certificateId)),
    ...halfRetired,
  ];
  return { keepCandidate: kept.has(candidate.certificateId), retire };
}

/** The reconciler's view: which of a Thing's attached certificates are due for retirement now (no newcomer). */
export function planRetirement(attached: CertificateFacts[], policy: RotationPolicy): CertificateFacts[] {
  const { live, kept, halfRetired } = classify([], attached, policy);
  return [...live.filter((certificate) => !kept.has(certificate.certificateId)), ...halfRetired];
}

function classify(candidates: CertificateFacts[], others: CertificateFacts[], policy: RotationPolicy) {
  const ours = others.filter((certificate) => policy.sameOwner(certificate.caCertificateId));
  const halfRetired = ours.filter((certificate) => certificate.status === 'INACTIVE');
  const live = [...candidates, ...ours.filter((certificate) => certificate.status === 'ACTIVE')].sort(olderFirst);

  const graceMs = policy.graceHours * HOUR_MS;
  const alive = live.filter((certificate, index) => {
    if (certificate.notAfter <= policy.now) return false;
    const newer = live.slice(index + 1);
    if (newer.length === 0) return true;
    const supersededAt = Math.min(...newer.map((successor) => successor.registeredAt));
    return policy.now < supersededAt + graceMs;
  });
  const kept = new Set(
    alive
      .slice(Math.max(0, alive.length - policy.maxCertificatesPerThing))
      .map((certificate) => certificate.certificateId),
  );
  return { live, kept, halfRetired };
}
