import { BINDING } from '../onboard/model.js';
import { certificatePublicKey } from './csr.js';
import { thingForeign, VendError } from './errors.js';
import type { CertificateFacts, IssuedCertificate, ThingFacts, VendIotPort } from './port.js';
import { journalOf, RETIRING_ATTRIBUTE, retireAll, retireCertificate, unlessMissing } from './retire.js';
import type { CredentialSink, DeviceCredentials } from './sink.js';

export { RETIRING_ATTRIBUTE };

/** The Thing attribute binding a Thing to this endpoint. Onboarding finds no `jitr_ca` on it and treats it as foreign. */
export const VEND_BINDING = { attribute: 'jitr_source', value: 'vend' } as const;

/**
 * Set by DELETE before it lists the Thing's certificates. A POST that attached a certificate after that listing sees
 * it when it looks at the Thing again, and withdraws the certificate itself; a POST that starts later is refused.
 */
export const DEPROVISIONING_ATTRIBUTE = 'jitr_vend_deprovisioning';
/** DeleteThing refuses a Thing with principals: a racing POST attached one after the listing. List and retire again. */
const DELETE_THING_ROUNDS = 3;

const isDeprovisioning = (thing: ThingFacts) => (thing.attributes[DEPROVISIONING_ATTRIBUTE] ?? '') !== '';

/** 409: a DELETE of this device ran (or is running) concurrently; this POST issued nothing that survives. */
export const deprovisioning = (thingName: string) =>
  new VendError(
    'DEVICE_DEPROVISIONING',
    409,
    `thing ${thingName} is being deprovisioned by a concurrent or interrupted DELETE; repeat the DELETE, then POST`,
  );

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
  const thingName = thingNameOf(input.deviceId);
  const thing = await ensureThing(thingName, deps);
  const attempt: { issued?: IssuedCertificate } = {};
  try {
    return await provisionOnThing(input, thingName, thing, deps, attempt);
  } catch (error) {
    if (!(await lostToDeprovision(error, thingName, deps.iot))) throw error;
    // A DELETE ran meanwhile: what this request issued must not outlive it (no orphan, never a 500).
    if (attempt.issued) await retireCertificate(attempt.issued, thingName, deps.iot);
    await deps.sink.clear(input.deviceId);
    throw deprovisioning(thingName);
  }
}

async function provisionOnThing(
  input: ProvisionInput,
  thingName: string,
  thing: ThingFacts | null,
  deps: VendWorkflowDeps,
  attempt: { issued?: IssuedCertificate },
): Promise<ProvisionOutcome> {
  const { iot } = deps;
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
    attempt.issued = certificate;
    await iot.attachThingPrincipal(thingName, certificate.certificateArn);
  }
  attempt.issued = certificate;
  // A DELETE that marked the Thing before this attach listed its certificates without this one: look again.
  const now = await iot.describeThing(thingName);
  if (!now || isDeprovisioning(now)) throw deprovisioning(thingName);
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

/** Did a DELETE of this device run while the request was under way (the Thing gone or marked)? */
async function lostToDeprovision(error: unknown, thingName: string, iot: VendIotPort): Promise<boolean> {
  if (error instanceof VendError && error.code === 'DEVICE_DEPROVISIONING') return true;
  if (error instanceof VendError) return false;
  let thing: ThingFacts | null;
  try {
    thing = await iot.describeThing(thingName);
  } catch {
    return false;
  }
  return thing === null || isDeprovisioning(thing);
}

/**
 * Deprovisions one device: the Thing marked (DEPROVISIONING_ATTRIBUTE), every certificate of it revoked, detached and
 * deleted, the sink cleared, the Thing deleted. Safe to repeat and to run beside a POST for the same device (the POST
 * then withdraws what it issued, or this finds and retires it); a Thing that is not this endpoint's is refused (409).
 */
export async function deprovisionDevice(deviceId: string, deps: VendWorkflowDeps): Promise<DeprovisionOutcome> {
  const { iot } = deps;
  const thingName = thingNameOf(deviceId);
  const thing = await iot.describeThing(thingName);
  if (thing && !isVendThing(thing)) throw thingForeign(thingName);
  const retired: string[] = [];
  if (thing) {
    if (!isDeprovisioning(thing)) {
      await unlessMissing(() => iot.setThingAttribute(thingName, DEPROVISIONING_ATTRIBUTE, 'true'), undefined);
    }
    for (let round = 1; ; round++) {
      const principals = await iot.listThingPrincipals(thingName);
      const certificates = await certificatesOf(thingName, iot, round === 1 ? journalOf(thing) : [], principals);
      retired.push(...(await retireAll(certificates, thingName, iot)));
      // Principals whose certificate is already gone (or that are not certificates) are detached as well.
      const described = new Set(certificates.map((c) => c.certificateArn));
      for (const principal of principals.filter((arn) => !described.has(arn))) {
        await iot.detachThingPrincipal(thingName, principal);
      }
      if (round === 1) await deps.sink.clear(deviceId);
      if ((await iot.deleteThing(thingName)) === 'deleted') break;
      if (round >= DELETE_THING_ROUNDS) {
        throw new VendError('RETRY_LATER', 503, `thing ${thingName} still has principals attached; retry`);
      }
    }
  }
  if (!thing) await deps.sink.clear(deviceId);
  return { thingName, thingDeleted: thing !== null, retired: [...new Set(retired)] };
}

async function ensureThing(thingName: string, deps: VendWorkflowDeps): Promise<ThingFacts | null> {
  const { iot } = deps;
  const thing = await iot.describeThing(thingName);
  if (thing) {
    if (!isVendThing(thing)) throw thingForeign(thingName);
    if (isDeprovisioning(thing)) throw deprovisioning(thingName);
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
    if (isDeprovisioning(now)) throw deprovisioning(thingName);
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
