import { VendError } from './errors.js';
import type { CertificateFacts, IssuedCertificate, ThingFacts, VendIotPort } from './port.js';

/**
 * The retirement journal: certificates being retired are named on the Thing before they are detached from it, so a
 * crash between detaching and deleting one leaves it findable, and the next request finishes the job.
 */
export const RETIRING_ATTRIBUTE = 'jitr_vend_retiring';
/** Thing attribute values hold at most 800 characters: 12 certificate ids and their commas. */
const JOURNAL_BATCH = 12;
/** A delete that finds the certificate attached again (a racing request attached a policy) looks once more. */
const DELETE_ATTEMPTS = 3;

export const journalOf = (thing: ThingFacts | null) =>
  (thing?.attributes[RETIRING_ATTRIBUTE] ?? '').split(',').filter((id) => /^[0-9a-f]{64}$/.test(id));

const isMissing = (error: unknown) => (error as { name?: unknown })?.name === 'ResourceNotFoundException';

/** Runs `call`; a resource another request already deleted counts as done. */
export async function unlessMissing<T>(call: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isMissing(error)) return fallback;
    throw error;
  }
}

/** Revoke (final: a retired key never connects again), detach every policy and the Thing, delete. */
export async function retireAll(
  certificates: CertificateFacts[],
  thingName: string,
  iot: VendIotPort,
): Promise<string[]> {
  const retired: string[] = [];
  for (let start = 0; start < certificates.length; start += JOURNAL_BATCH) {
    const batch = certificates.slice(start, start + JOURNAL_BATCH);
    const ids = batch.map((c) => c.certificateId).join(',');
    await unlessMissing(() => iot.setThingAttribute(thingName, RETIRING_ATTRIBUTE, ids), undefined);
    for (const certificate of batch) {
      await retireCertificate(certificate, thingName, iot);
      retired.push(certificate.certificateId);
    }
  }
  if (certificates.length > 0) {
    await unlessMissing(() => iot.setThingAttribute(thingName, RETIRING_ATTRIBUTE, ''), undefined);
  }
  return retired;
}

/**
 * Retires one certificate, tolerating a concurrent request that retires it too (what it already did counts as done).
 * Throws 503 RETRY_LATER when IoT keeps finding it attached (detachment is eventually consistent on AWS).
 */
export async function retireCertificate(
  certificate: Pick<IssuedCertificate, 'certificateId' | 'certificateArn'> & { status?: string },
  thingName: string,
  iot: VendIotPort,
): Promise<void> {
  if (certificate.status !== 'REVOKED') {
    const revoked = await unlessMissing(
      () => iot.updateCertificateStatus(certificate.certificateId, 'REVOKED').then(() => true),
      false,
    );
    if (!revoked) return;
  }
  for (let attempt = 1; ; attempt++) {
    const policies = await unlessMissing(() => iot.listAttachedPolicies(certificate.certificateArn), []);
    for (const policy of policies) await iot.detachPolicy(policy, certificate.certificateArn);
    await iot.detachThingPrincipal(thingName, certificate.certificateArn);
    if ((await iot.deleteCertificate(certificate.certificateId)) === 'deleted') return;
    if (attempt >= DELETE_ATTEMPTS) {
      throw new VendError('RETRY_LATER', 503, `certificate ${certificate.certificateId} is still attached; retry`);
    }
  }
}
