import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { normaliseThingName, PROFILES, type ProfileName } from '../../certs/profiles.js';
import { FLEET_CONFIG_MAX_CHARACTERS, type FleetConfig } from '../../functions/fleet-config.js';
import { boundProfile } from '../../functions/onboard/fleet-binding.js';
import { BINDING } from '../../functions/onboard/model.js';
import type { OperatorClients } from '../aws/clients.js';
import { UsageError } from '../cli/errors.js';
import { fleetConfigParameterName } from './deployment.js';
import { aws, OperatorError, OperatorInputError } from './errors.js';
import { requireFleetConfig, updateFleetConfig } from './fleet-config-store.js';
import { addToDenyList } from './fleet-merge.js';
import { type MarkResult, markThingRevoked, pendingCertificatesOf, thingNameOf } from './revocation-mark.js';
import { type CertificateState, describeCertificate, describeThing, thingCertificates } from './thing-reads.js';

export type RevokeTarget = { thing: string } | { certificateId: string } | { deviceId: string; profile: ProfileName };

export interface RevokeOptions {
  target: RevokeTarget;
  reason?: string;
  stage: string;
  dryRun?: boolean;
  progress?: (message: string) => void;
}

export interface RevokeResult {
  dryRun: boolean;
  reason?: string;
  /** The thing name / device id denied from now on, if one is known. */
  deviceId?: string;
  revoked: { certificateId: string; previousStatus: string }[];
  alreadyRevoked: string[];
  /** CAs whose deny list gained entries (or would). */
  deniedIn: string[];
  denied: { deviceIds: string[]; certificateIds: string[] };
  fleetConfigChanged: boolean;
  /** The device's Thing: its binding marked revoked, created to hold the mark, or already marked. */
  thing?: MarkResult;
  warnings: string[];
}

interface Resolved {
  deviceId?: string;
  profile?: ProfileName;
  certificates: CertificateState[];
  cas: string[];
  deny: { deviceIds: string[]; certificateIds: string[] };
  warnings: string[];
}

/**
 * Revokes a device for good, in an order that leaves no window for it to come back:
 * 1. its device id (and certificate) go on the deny list of its CAs in the fleet configuration;
 * 2. its Thing is marked revoked (created to hold the mark if absent): the Lambda reads the Thing on every onboarding,
 *    so even a container whose cached configuration predates step 1 attaches no certificate to it;
 * 3. every certificate of the device is set REVOKED: those attached to the Thing (listed after step 2, so one the Lambda
 *    attached meanwhile is included) and those still PENDING_ACTIVATION (registered, their onboarding in flight).
 * A deny list the fleet configuration has no room for (FLEET_CONFIG_TOO_LARGE, 8 KB) skips step 1 with a warning:
 * steps 2 and 3 keep the device out all the same. If it fails midway, the device cannot come back, and a re-run
 * finishes the job. `jitr readmit` undoes steps 1 and 2.
 */
export async function revoke(clients: OperatorClients, options: RevokeOptions): Promise<RevokeResult> {
  const progress = options.progress ?? (() => {});
  const dryRun = options.dryRun === true;
  const parameter = fleetConfigParameterName(options.stage);
  const config = (await requireFleetConfig(clients.ssm, parameter, { allowMissing: false })) as FleetConfig;
  const resolved = await resolveTarget(clients, options.target, config);
  let updated = resolved.cas.length > 0 ? addToDenyList(config, resolved.cas, resolved.deny) : undefined;
  if (updated && dryRun && JSON.stringify(updated).length > FLEET_CONFIG_MAX_CHARACTERS) {
    resolved.warnings.push('FLEET_CONFIG_TOO_LARGE: the deny list is full; a revocation would skip it');
  }
  if (updated && !dryRun) {
    progress(`adding ${[...resolved.deny.deviceIds, ...resolved.deny.certificateIds].join(', ')} to the deny list`);
    try {
      await updateFleetConfig(clients.ssm, parameter, (current) =>
        current ? addToDenyList(current, resolved.cas, resolved.deny) : undefined,
      );
    } catch (error) {
      // A full deny list must not keep a device online: steps 2 and 3 revoke it all the same.
      if (!(error instanceof OperatorError) || error.code !== 'FLEET_CONFIG_TOO_LARGE') throw error;
      updated = undefined;
      resolved.warnings.push(`FLEET_CONFIG_TOO_LARGE: not added to the deny list (${error.message})`);
    }
  }
  let thing: MarkResult | undefined;
  let certificates = resolved.certificates;
  if (resolved.deviceId !== undefined) {
    progress(`marking thing ${resolved.deviceId} revoked`);
    thing = await markThingRevoked(clients.iot, resolved.deviceId, resolved.profile, dryRun);
    const attached = (await describeThing(clients.iot, resolved.deviceId))
      ? await thingCertificates(clients.iot, resolved.deviceId)
      : [];
    const cas = config.trustedCas.filter((ca) => resolved.cas.includes(ca.certificateId));
    const pending = await pendingCertificatesOf(clients.iot, cas, resolved.deviceId);
    certificates = uniqueById([...certificates, ...attached, ...pending]);
  }
  const toRevoke = certificates.filter((certificate) => certificate.status !== 'REVOKED');
  if (!dryRun) {
    for (const certificate of toRevoke) {
      progress(`revoking certificate ${certificate.certificateId} (${certificate.status})`);
      await aws(`UpdateCertificate ${certificate.certificateId} REVOKED`, () =>
        clients.iot.send(
          new UpdateCertificateCommand({ certificateId: certificate.certificateId, newStatus: 'REVOKED' }),
        ),
      );
    }
  }
  return {
    dryRun,
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    ...(resolved.deviceId !== undefined ? { deviceId: resolved.deviceId } : {}),
    revoked: toRevoke.map((c) => ({ certificateId: c.certificateId, previousStatus: c.status })),
    alreadyRevoked: certificates.filter((c) => c.status === 'REVOKED').map((c) => c.certificateId),
    deniedIn: resolved.cas,
    denied: resolved.deny,
    fleetConfigChanged: updated !== undefined,
    ...(thing !== undefined ? { thing } : {}),
    warnings: resolved.warnings,
  };
}

function uniqueById(certificates: CertificateState[]): CertificateState[] {
  const seen = new Map<string, CertificateState>();
  for (const certificate of certificates) seen.set(certificate.certificateId, certificate);
  return [...seen.values()];
}

async function resolveTarget(clients: OperatorClients, target: RevokeTarget, config: FleetConfig): Promise<Resolved> {
  const trusted = new Set(config.trustedCas.map((ca) => ca.certificateId));
  const everyCa = config.trustedCas.map((ca) => ca.certificateId);
  if ('thing' in target) {
    const thing = await describeThing(clients.iot, target.thing);
    if (!thing) throw new OperatorInputError('THING_NOT_FOUND', `thing ${target.thing} does not exist`);
    const certificates = await thingCertificates(clients.iot, target.thing);
    const bound = [thing.attributes?.[BINDING.ca], ...certificates.map((c) => c.caCertificateId)].filter(
      (id): id is string => id !== undefined && trusted.has(id),
    );
    const deviceId = target.thing.toLowerCase();
    const profile = boundProfile(thing.attributes);
    return {
      deviceId,
      ...(isProfile(profile) ? { profile } : {}),
      certificates,
      cas: bound.length > 0 ? [...new Set(bound)] : everyCa,
      deny: { deviceIds: [deviceId], certificateIds: [] },
      warnings: [],
    };
  }
  if ('certificateId' in target) {
    const id = target.certificateId.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(id))
      throw new UsageError(`--certificate-id must be 64 hex digits, got "${target.certificateId}"`);
    const certificate = await describeCertificate(clients.iot, id);
    if (!certificate) throw new OperatorInputError('CERTIFICATE_NOT_FOUND', `certificate ${id} does not exist`);
    const ca = config.trustedCas.find((entry) => entry.certificateId === certificate.caCertificateId);
    if (!ca) {
      return {
        certificates: [certificate],
        cas: [],
        deny: { deviceIds: [], certificateIds: [id] },
        warnings: [`certificate ${id} was not issued by a trusted CA: revoked, but no deny list applies to it`],
      };
    }
    const deviceId = thingNameOf(ca, certificate.certificatePem);
    return {
      ...(deviceId !== undefined ? { deviceId } : {}),
      profile: ca.profile,
      certificates: [certificate],
      cas: [ca.certificateId],
      deny: { deviceIds: deviceId !== undefined ? [deviceId] : [], certificateIds: [id] },
      warnings: deviceId === undefined ? ['the certificate names no valid device id: only it is denied'] : [],
    };
  }
  const deviceId = normaliseThingName(target.deviceId);
  if (!deviceId) throw new UsageError(`--device-id "${target.deviceId}" does not make a thing name [a-z0-9:_-]{1,128}`);
  const cas = config.trustedCas.filter((ca) => ca.profile === target.profile).map((ca) => ca.certificateId);
  if (cas.length === 0) {
    throw new OperatorInputError('NO_TRUSTED_CA_FOR_PROFILE', `no trusted CA has profile ${target.profile}`);
  }
  const certificates = (await describeThing(clients.iot, deviceId))
    ? await thingCertificates(clients.iot, deviceId)
    : [];
  return {
    deviceId,
    profile: target.profile,
    certificates,
    cas,
    deny: { deviceIds: [deviceId], certificateIds: [] },
    warnings: [],
  };
}

function isProfile(value: string | undefined): value is ProfileName {
  return (PROFILES as readonly (string | undefined)[]).includes(value);
}
