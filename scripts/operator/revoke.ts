import { UpdateCertificateCommand } from '@aws-sdk/client-iot';
import { parseCertificate } from '../../certs/parse.js';
import { normaliseThingName, type ProfileName, thingNameFor } from '../../certs/profiles.js';
import type { FleetConfig, TrustedCa } from '../../functions/fleet-config.js';
import { BINDING } from '../../functions/onboard/model.js';
import type { OperatorClients } from '../aws/clients.js';
import { UsageError } from '../cli/errors.js';
import { fleetConfigParameterName } from './deployment.js';
import { aws, OperatorInputError } from './errors.js';
import { requireFleetConfig, updateFleetConfig } from './fleet-config-store.js';
import { addToDenyList } from './fleet-merge.js';
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
  warnings: string[];
}

interface Resolved {
  deviceId?: string;
  certificates: CertificateState[];
  cas: string[];
  deny: { deviceIds: string[]; certificateIds: string[] };
  warnings: string[];
}

/**
 * Revokes a device for good: its certificates become REVOKED, and its device id (and certificate) go on the deny list
 * of its CAs in the fleet configuration, so a certificate re-registered for it is rejected too. The deny list is
 * written first: if revoking fails midway, the device cannot come back, and a re-run finishes the job.
 */
export async function revoke(clients: OperatorClients, options: RevokeOptions): Promise<RevokeResult> {
  const progress = options.progress ?? (() => {});
  const parameter = fleetConfigParameterName(options.stage);
  const config = (await requireFleetConfig(clients.ssm, parameter, { allowMissing: false })) as FleetConfig;
  const resolved = await resolveTarget(clients, options.target, config);
  const updated = resolved.cas.length > 0 ? addToDenyList(config, resolved.cas, resolved.deny) : undefined;
  const toRevoke = resolved.certificates.filter((certificate) => certificate.status !== 'REVOKED');
  if (!options.dryRun) {
    if (updated) {
      progress(`adding ${[...resolved.deny.deviceIds, ...resolved.deny.certificateIds].join(', ')} to the deny list`);
      await updateFleetConfig(clients.ssm, parameter, (current) =>
        current ? addToDenyList(current, resolved.cas, resolved.deny) : undefined,
      );
    }
    for (const certificate of toRevoke) {
      progress(`revoking certificate ${certificate.certificateId}`);
      await aws(`UpdateCertificate ${certificate.certificateId} REVOKED`, () =>
        clients.iot.send(
          new UpdateCertificateCommand({ certificateId: certificate.certificateId, newStatus: 'REVOKED' }),
        ),
      );
    }
  }
  return {
    dryRun: options.dryRun === true,
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
    ...(resolved.deviceId !== undefined ? { deviceId: resolved.deviceId } : {}),
    revoked: toRevoke.map((c) => ({ certificateId: c.certificateId, previousStatus: c.status })),
    alreadyRevoked: resolved.certificates.filter((c) => c.status === 'REVOKED').map((c) => c.certificateId),
    deniedIn: resolved.cas,
    denied: resolved.deny,
    fleetConfigChanged: updated !== undefined,
    warnings: resolved.warnings,
  };
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
    return {
      deviceId,
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
    const deviceId = deviceIdOf(ca, certificate.certificatePem);
    return {
      ...(deviceId !== undefined ? { deviceId } : {}),
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
  return { deviceId, certificates, cas, deny: { deviceIds: [deviceId], certificateIds: [] }, warnings: [] };
}

function deviceIdOf(ca: TrustedCa, pem: string): string | undefined {
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
