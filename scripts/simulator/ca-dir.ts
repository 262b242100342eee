import type { FleetCa, FleetProfile } from '../../certs/fleet.js';
import { readCaDir } from '../commands/ca-files.js';

/** A CA directory as `jitr ca create` writes it (`ca.cert.pem` + `ca.key.pem`; for microchip the signer), as a fleet. */
export function loadFleetCa(dir: string, profile: FleetProfile): FleetCa {
  return { ...readCaDir(dir), profile };
}
