import { createFleetCa, type FleetCa } from '../../../certs/fleet.js';
import { createIntermediateCa, createRootCa, type IssuedCa } from '../../../certs/issue.js';

/** Fixed dates: crypto tests never read the clock. */
export const ISSUED_AT = new Date('2026-01-01T00:00:00Z');
export const CHECK_AT = new Date('2026-06-01T00:00:00Z');
export const TENANT_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

export interface Fleets {
  generic: FleetCa;
  microchip: FleetCa;
  azureSphere: FleetCa;
  other: IssuedCa;
}

/** One CA of each profile plus an unrelated CA, all valid from ISSUED_AT for ten years. */
export async function makeFleets(): Promise<Fleets> {
  const [generic, microchip, azureSphere, other] = await Promise.all([
    createFleetCa('generic', { notBefore: ISSUED_AT }),
    createFleetCa('microchip', { notBefore: ISSUED_AT }),
    createFleetCa('azure-sphere', { notBefore: ISSUED_AT, tenantId: TENANT_ID }),
    createRootCa({ commonName: 'Unrelated CA', notBefore: ISSUED_AT }),
  ]);
  return { generic, microchip, azureSphere, other };
}

export { createIntermediateCa };

/** Flips a bit in the last byte of a PEM certificate's DER: for ECDSA that byte is inside the signature's s value. */
export function tamperSignature(certificatePem: string): Uint8Array {
  const der = Buffer.from(certificatePem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
  return der;
}
