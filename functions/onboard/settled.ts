/**
 * Certificates this container has seen ACTIVE (it activated them, or read them ACTIVE). A boot storm queues many
 * registration events per device (every retry while pending publishes one); once the certificate is ACTIVE they all
 * end as `duplicate`, and each would spend a DescribeCertificate call, on the same per-account quota new devices need.
 * IoT never publishes a registration event for a certificate that left PENDING_ACTIVATION for good reasons, and ACTIVE
 * cannot go back to pending, so a remembered ACTIVE certificate needs no call. Bounded and expiring.
 *
 * A certificate can be deleted (deprovisioned) and auto-registered again by its next connection: that is a new
 * registration with a new timestamp, so entries are keyed by `settledKey` (certificateId + registration time), never by
 * the certificateId alone, or a warm container would wrongly answer the re-registration as a duplicate.
 */
export class SettledCertificates {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  has(certificateId: string): boolean {
    const expiresAt = this.entries.get(certificateId);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.now()) return true;
    this.entries.delete(certificateId);
    return false;
  }

  add(certificateId: string): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(certificateId);
    this.entries.set(certificateId, this.now() + this.ttlMs);
  }
}

/**
 * The identity of one registration of a certificate: the same certificate registered again is a new key. The time is
 * epoch ms as a number or a string of digits (both seen from IoT); a null or absent time leaves the certificateId alone.
 */
export function settledKey(event: {
  certificateId: string;
  certificateRegistrationTimestamp?: number | string | null;
}): string {
  const time = event.certificateRegistrationTimestamp;
  const normalised = time === null || time === undefined || time === '' ? '' : String(Number(time));
  return `${event.certificateId}@${normalised}`;
}
