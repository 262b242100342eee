import { normaliseThingName, type ProfileName } from '../../certs/profiles.js';
import type { FleetConfig } from '../../functions/fleet-config.js';
import type { OperatorClients } from '../aws/clients.js';
import { UsageError } from '../cli/errors.js';
import { fleetConfigParameterName } from './deployment.js';
import { requireFleetConfig, updateFleetConfig } from './fleet-config-store.js';
import { removeFromDenyList } from './fleet-merge.js';
import { type UnmarkResult, unmarkThing } from './revocation-mark.js';

export type ReadmitTarget = { thing: string } | { deviceId: string; profile: ProfileName };

export interface ReadmitOptions {
  target: ReadmitTarget;
  stage: string;
  dryRun?: boolean;
  progress?: (message: string) => void;
}

export interface ReadmitResult {
  dryRun: boolean;
  deviceId: string;
  /** CAs whose deny list no longer names the device (or would not). */
  removedFrom: string[];
  fleetConfigChanged: boolean;
  /** The Thing: its binding restored, the placeholder revoke made deleted, not marked, or absent. */
  thing: UnmarkResult;
}

/**
 * Undoes `jitr revoke` deliberately: the device id leaves every deny list and its Thing gets back the binding it had, so
 * the device's next new certificate is onboarded onto it. Certificates already REVOKED stay revoked (that is final):
 * the device comes back with a new one (an Azure Sphere device gets one a day).
 */
export async function readmit(clients: OperatorClients, options: ReadmitOptions): Promise<ReadmitResult> {
  const progress = options.progress ?? (() => {});
  const dryRun = options.dryRun === true;
  const raw = 'thing' in options.target ? options.target.thing : options.target.deviceId;
  const deviceId = normaliseThingName(raw);
  if (!deviceId) throw new UsageError(`"${raw}" does not make a thing name [a-z0-9:_-]{1,128}`);
  const parameter = fleetConfigParameterName(options.stage);
  const config = (await requireFleetConfig(clients.ssm, parameter, { allowMissing: false })) as FleetConfig;
  const removedFrom = config.trustedCas
    .filter((ca) => ca.deny.deviceIds.some((id) => id.toLowerCase() === deviceId))
    .map((ca) => ca.certificateId);
  if (removedFrom.length > 0 && !dryRun) {
    progress(`taking ${deviceId} off the deny list of ${removedFrom.length} CA(s)`);
    await updateFleetConfig(clients.ssm, parameter, (current) =>
      current ? removeFromDenyList(current, [deviceId]) : undefined,
    );
  }
  progress(`restoring thing ${deviceId}`);
  const thing = await unmarkThing(clients.iot, deviceId, dryRun);
  return { dryRun, deviceId, removedFrom, fleetConfigChanged: removedFrom.length > 0, thing };
}
