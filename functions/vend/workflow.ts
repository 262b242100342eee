import { BINDING } from '../onboard/model.js';
import { certificatePublicKey } from './csr.js';
import { thingForeign, VendError } from './errors.js';
import type { CertificateFacts, IssuedCertificate, ThingFacts, VendIotPort } from './port.js';
import type { CredentialSink, DeviceCredentials } from './sink.js';

/** The Thing attribute binding a Thing to this endpoint. Onboarding finds no `jitr_ca` on it and treats it as foreign. */
export const VEND_BINDING = { attribute: 'jitr_source', value: 'vend' } as const;

/**
 * The retirement journal: certificates being retired are named on the Thing before they are detached from it, so a
 * crash between detaching and deleting one leaves it findable, and the next request finishes the job.
 */
export const RETIRING_ATTRIBUTE = 'jitr_vend_retiring';
/** Thing attribute values hold at most 800 characters: 12 certificate ids and their commas. */
const JOURNAL_BATCH = 12;

const journalOf = (thing: ThingFacts | null) =>
  (thing?.attributes[RETIRING_ATTRIBUTE] ?? '').split(',').filter((id) => /^[0-9a-f]{64}$/.test(id));

export function isVendThing(thing: ThingFacts): boolean {
  return thing.attributes[VEND_BINDING.attribute] === VEND_BINDING.value && thing.attributes[BINDING.ca] === undefined;
}

export interface VendWorkflowDeps {
  iot: VendIotPort;
  sink: CredentialSink;
  policyName: string;
  thingTypeName?: string;
  endpoint: string;
  rootCaPem: string;
}

export interface ProvisionInput {
  deviceId: string;
  csr?: string;
  /** SubjectPublicKeyInfo of `csr` (csr.ts), to resume a certificate already issued for the same key. */
  csrKey?: Buffer;
  rotate: boolean;
}

export type ProvisionDecision = 'provisioned' | 'resumed' | 'rotated' | 'existing';

export interface ProvisionOutcome {
  decision: ProvisionDecision;
  credentials: DeviceCredentials;
  /** Certificates revoked and deleted by this request (an interrupted attempt's, or the ones a rotation replaced). */
  retired: string[];
}

export interface DeprovisionOutcome {
  thingName: string;
  thingDeleted: boolean;
  retired: string[];
}

export const thingNameOf = (deviceId: string) => deviceId.toLowerCase();

/**
 * Provisions one device, idempotently. State lives in IoT only: the Thing (bound by attribute) and the certificates
 * attached to it. Order for a new certificate: CreateThing, issue (INACTIVE), AttachThingPrincipal, AttachPolicy,
 * sink, ACTIVE last; then older certificates are retired. AttachThingPrincipal comes right after issuing so that a crash
 * leaves the new certificate findable from the Thing; until ACTIVE it cannot connect. A retry after a crash therefore
 * finds the Thing and its non-ACTIVE certificates: one issued for the CSR's key is resumed, any other (its generated key
 * was never delivered) is retired and a new one issued. A retry after success returns the ACTIVE certificate as it is,
 * without a private key: a generated key is shown once; `rotate` issues a new certificate.
 */
export async function provisionDevice(input: ProvisionInput, deps: VendWorkflowDeps): Promise<ProvisionOutcome> {
  const { iot } = deps;
  const thingName = thingNameOf(input.deviceId);
  const thing = await ensureThing(thingName, deps);
  const journal = journalOf(thing);
  const certificates = await certificatesOf(thingName, iot, journal);
  const active = certificates.filter((c) => c.status === 'ACTIVE').sort((a, b) => b.registeredAt - a.registeredAt);
  const current = active[0];

  if (!input.rotate && current) {
    if (input.csrKey && !sameKey(current.certificatePem, input.csrKey)) {
      throw new VendError(
        'KEY_MISMATCH',
        409,
        'the device already has a certificate for another key: send rotate=true to replace it',
      );
    }
    const retired = await retireAll(
      certificates.filter((c) => c.certificateId !== current.certificateId),
      thingName,
      iot,
    );
    return { decision: 'existing', credentials: credentialsOf(thingName, current, deps), retired };
  }

  const resumable = input.csrKey
    ? certificates.find(
        (c) =>
          c.status !== 'ACTIVE' &&
          c.status !== 'REVOKED' &&
          !journal.includes(c.certificateId) &&
          sameKey(c.certificatePem, input.csrKey as Buffer),
      )
    : undefined;
  let certificate: IssuedCertificate;
  if (resumable) {
    certificate = resumable;
  } else {
    certificate =
      input.csr !== undefined ? await iot.createCertificateFromCsr(input.csr) : await iot.createKeysAndCertificate();
    await iot.attachThingPrincipal(thingName, certificate.certificateArn);
  }
  await iot.attachPolicy(deps.policyName, certificate.certificateArn);
  const credentials = credentialsOf(thingName, certificate, deps);
  await deps.sink.deliver(input.deviceId, credentials);
  await iot.updateCertificateStatus(certificate.certificateId, 'ACTIVE');
  const retired = await retireAll(
    certificates.filter((c) => c.certificateId !== certificate.certificateId),
    thingName,
    iot,
  );
  const decision: ProvisionDecision = resumable ? 'resumed' : current ? 'rotated' : 'provisioned';
  return { decision, credentials, retired };
}

/**
 * Deprovisions one device: every certificate of its Thing revoked, detached and deleted, the sink cleared, the Thing
 * deleted. Safe to repeat; a Thing that is not this endpoint's is refused (409) and left alone.
 */
export async function deprovisionDevice(deviceId: string, deps: VendWorkflowDeps): Promise<DeprovisionOutcome> {
  const { iot } = deps;
  const thingName = thingNameOf(deviceId);
  const thing = await iot.describeThing(thingName);
  if (thing && !isVendThing(thing)) throw thingForeign(thingName);
  let retired: string[] = [];
  if (thing) {
    const principals = await iot.listThingPrincipals(thingName);
    const certificates = await certificatesOf(thingName, iot, journalOf(thing), principals);
    retired = await retireAll(certificates, thingName, iot);
    // Principals whose certificate is already gone (or that are not certificates) are detached as well.
    const described = new Set(certificates.map((c) => c.certificateArn));
    for (const principal of principals.filter((arn) => !described.has(arn))) {
      await iot.detachThingPrincipal(thingName, principal);
    }
  }
  await deps.sink.clear(deviceId);
  if (thing) await iot.deleteThing(thingName);
  return { thingName, thingDeleted: thing !== null, retired };
}

async function ensureThing(thingName: string, deps: VendWorkflowDeps): Promise<ThingFacts | null> {
  const { iot } = deps;
  const thing = await iot.describeThing(thingName);
  if (thing) {
    if (!isVendThing(thing)) throw thingForeign(thingName);
    return thing;
  }
  const created = await iot.createThing({
    thingName,
    attributes: { [VEND_BINDING.attribute]: VEND_BINDING.value },
    ...(deps.thingTypeName ? { thingTypeName: deps.thingTypeName } : {}),
  });
  if (created === 'conflict') {
    // Someone else created it between our read and write: bound to us only if its attributes say so.
    const now = await iot.describeThing(thingName);
    if (!now || !isVendThing(now)) throw thingForeign(thingName);
    return now;
  }
  return null;
}

/** The Thing's certificates: those attached to it, and those its retirement journal names (possibly detached). */
async function certificatesOf(
  thingName: string,
  iot: VendIotPort,
  journal: string[],
  known?: string[],
): Promise<CertificateFacts[]> {
  const principals = known ?? (await iot.listThingPrincipals(thingName));
  const attached = principals
    .filter((arn) => arn.includes(':cert/'))
    .map((arn) => arn.slice(arn.lastIndexOf('/') + 1).toLowerCase());
  const ids = [...new Set([...attached, ...journal])];
  const described = await Promise.all(ids.map((id) => iot.describeCertificate(id.toLowerCase())));
  return described.filter((c): c is CertificateFacts => c !== null);
}

/** Revoke (final: a retired key never connects again), detach every policy and the Thing, delete. */
async function retireAll(certificates: CertificateFacts[], thingName: string, iot: VendIotPort): Promise<string[]> {
  const retired: string[] = [];
  for (let start = 0; start < certificates.length; start += JOURNAL_BATCH) {
    const batch = certificates.slice(start, start + JOURNAL_BATCH);
    await iot.setThingAttribute(thingName, RETIRING_ATTRIBUTE, batch.map((c) => c.certificateId).join(','));
    retired.push(...(await retireBatch(batch, thingName, iot)));
  }
  if (certificates.length > 0) await iot.setThingAttribute(thingName, RETIRING_ATTRIBUTE, '');
  return retired;
}

async function retireBatch(certificates: CertificateFacts[], thingName: string, iot: VendIotPort): Promise<string[]> {
  const retired: string[] = [];
  for (const certificate of certificates) {
    if (certificate.status !== 'REVOKED') await iot.updateCertificateStatus(certificate.certificateId, 'REVOKED');
    for (const policy of await iot.listAttachedPolicies(certificate.certificateArn)) {
      await iot.detachPolicy(policy, certificate.certificateArn);
    }
    await iot.detachThingPrincipal(thingName, certificate.certificateArn);
    if ((await iot.deleteCertificate(certificate.certificateId)) === 'conflict') {
      // Detachment is eventually consistent on AWS: the caller retries, and this resumes here.
      throw new VendError('RETRY_LATER', 503, `certificate ${certificate.certificateId} is still attached; retry`);
    }
    retired.push(certificate.certificateId);
  }
  return retired;
}

function sameKey(certificatePem: string, key: Buffer): boolean {
  const other = certificatePublicKey(certificatePem);
  return other?.equals(key) === true;
}

function credentialsOf(
  thingName: string,
  certificate: Pick<IssuedCertificate, 'certificateId' | 'certificatePem' | 'privateKey'>,
  deps: VendWorkflowDeps,
): DeviceCredentials {
  return {
    thingName,
    certificateId: certificate.certificateId,
    certificatePem: certificate.certificatePem,
    ...(certificate.privateKey !== undefined ? { privateKey: certificate.privateKey } : {}),
    endpoint: deps.endpoint,
    rootCaPem: deps.rootCaPem,
  };
}
