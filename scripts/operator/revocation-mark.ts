import {
  CreateThingCommand,
  DeleteThingCommand,
  DetachThingPrincipalCommand,
  type IoTClient,
  ListCertificatesByCACommand,
  UpdateThingCommand,
} from '@aws-sdk/client-iot';
import { parseCertificate } from '../../certs/parse.js';
import { thingNameFor } from '../../certs/profiles.js';
import type { TrustedCa } from '../../functions/fleet-config.js';
import { BINDING } from '../../functions/onboard/model.js';
import {
  bindingBeforeRevocation,
  isRevokedBinding,
  PLACEHOLDER_BINDING,
  revokedBinding,
} from '../../functions/onboard/revoked-binding.js';
import { aws, awsErrorName } from './errors.js';
import { type CertificateState, describeCertificate, describeThing, thingPrincipals } from './thing-reads.js';

/** What happened to the Thing: its binding marked revoked, a Thing made to hold the mark, or nothing to do. */
export type MarkResult = 'marked' | 'created' | 'already-marked';

/**
 * Marks the device's Thing revoked (functions/onboard/revoked-binding.ts), creating a Thing that holds only the mark when
 * none exists, so that a Lambda container still holding an old deny list cannot create one and attach a certificate.
 * If the Lambda creates the Thing at the same moment, one CreateThing wins and the other side sees the winner's Thing.
 */
export async function markThingRevoked(
  iot: IoTClient,
  thingName: string,
  profile: TrustedCa['profile'] | undefined,
  dryRun: boolean,
): Promise<MarkResult> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const thing = await describeThing(iot, thingName);
    if (thing) {
      const bound = thing.attributes?.[BINDING.ca];
      if (isRevokedBinding(bound)) return 'already-marked';
      if (!dryRun) {
        await aws(`UpdateThing ${thingName}`, () =>
          iot.send(
            new UpdateThingCommand({
              thingName,
              attributePayload: { attributes: { [BINDING.ca]: revokedBinding(bound) }, merge: true },
            }),
          ),
        );
      }
      return 'marked';
    }
    if (dryRun) return 'created';
    try {
      await iot.send(
        new CreateThingCommand({
          thingName,
          attributePayload: {
            attributes: { [BINDING.ca]: PLACEHOLDER_BINDING, ...(profile ? { [BINDING.profile]: profile } : {}) },
          },
        }),
      );
      return 'created';
    } catch (error) {
      if (awsErrorName(error) !== 'ResourceAlreadyExistsException') {
        await aws(`CreateThing ${thingName}`, () => Promise.reject(error));
      }
      // the Lambda created it meanwhile: mark that one
    }
  }
  return 'marked';
}

export type UnmarkResult = 'restored' | 'deleted' | 'not-marked' | 'no-thing';

/** Undoes the mark: the binding the Thing had before, or the placeholder Thing deleted (it never held a device). */
export async function unmarkThing(iot: IoTClient, thingName: string, dryRun: boolean): Promise<UnmarkResult> {
  const thing = await describeThing(iot, thingName);
  if (!thing) return 'no-thing';
  const bound = thing.attributes?.[BINDING.ca];
  if (!bound || !isRevokedBinding(bound)) return 'not-marked';
  const before = bindingBeforeRevocation(bound);
  if (dryRun) return before.kind === 'placeholder' ? 'deleted' : 'restored';
  if (before.kind !== 'placeholder') {
    // merge: an attribute set to "" is removed (a Thing that had no binding gets none back).
    const value = before.kind === 'bound' ? before.ca : '';
    await aws(`UpdateThing ${thingName}`, () =>
      iot.send(
        new UpdateThingCommand({
          thingName,
          attributePayload: { attributes: { [BINDING.ca]: value }, merge: true },
        }),
      ),
    );
    return 'restored';
  }
  for (const principal of await thingPrincipals(iot, thingName)) {
    await aws(`DetachThingPrincipal ${thingName}`, () =>
      iot.send(new DetachThingPrincipalCommand({ thingName, principal })),
    );
  }
  await aws(`DeleteThing ${thingName}`, () => iot.send(new DeleteThingCommand({ thingName })));
  return 'deleted';
}

/**
 * The device's certificates that are not attached to its Thing yet: PENDING_ACTIVATION certificates of the given CAs
 * whose identity is the device (registered, their onboarding not done or still in flight).
 */
export async function pendingCertificatesOf(
  iot: IoTClient,
  cas: TrustedCa[],
  thingName: string,
): Promise<CertificateState[]> {
  const found: CertificateState[] = [];
  for (const ca of cas) {
    let marker: string | undefined;
    do {
      const page = await aws(`ListCertificatesByCA ${ca.certificateId}`, () =>
        iot.send(new ListCertificatesByCACommand({ caCertificateId: ca.certificateId, pageSize: 250, marker })),
      );
      for (const summary of page.certificates ?? []) {
        if (summary.status !== 'PENDING_ACTIVATION' || !summary.certificateId) continue;
        const certificate = await describeCertificate(iot, summary.certificateId);
        if (certificate && thingNameOf(ca, certificate.certificatePem) === thingName) found.push(certificate);
      }
      marker = page.nextMarker;
    } while (marker);
  }
  return found;
}

/** The thing name a certificate of this CA names, or undefined when it names none. */
export function thingNameOf(ca: TrustedCa, pem: string): string | undefined {
  try {
    return thingNameFor(
      {
        profile: ca.profile,
        ...(ca.tenantId !== undefined ? { tenantId: ca.tenantId } : {}),
        ...(ca.pattern !== undefined ? { pattern: ca.pattern } : {}),
      },
      parseCertificate(pem),
    );
  } catch {
    return undefined;
  }
}
