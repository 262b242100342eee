import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { CertificateError } from './errors.js';
import { createIntermediateCa, createRootCa, type IssuedCa, issueDeviceCertificate } from './issue.js';
import { subjectPublicKeyBits } from './spki.js';

export type FleetProfile = 'azure-sphere' | 'microchip' | 'generic';

/** A fleet CA shaped like a real one of its profile. For microchip it is the signer; `root` is its root. */
export type FleetCa = IssuedCa & { profile: FleetProfile; tenantId?: string; root?: IssuedCa };

export interface FleetDevice {
  deviceId: string;
  /** The microchip serial CN (`sn...`); for other profiles the device id is the CN. */
  commonName?: string;
  thingName: string;
  certificatePem: string;
  privateKeyPem?: string;
  certificateId: string;
  chainPem: string;
}

export const MICROCHIP_ORGANIZATION = 'Microchip Technology Inc';
export const AZURE_SPHERE_CA_PREFIX = 'Microsoft Azure Sphere ';
/** Names of the stand-in root and policy CA above a simulated tenant CA (Microsoft's are not reproduced). */
export const AZURE_SPHERE_ROOT_NAME = 'Azure Sphere Root 2020 (simulated)';
export const AZURE_SPHERE_POLICY_CA_NAME = 'Azure Sphere Policy CA (simulated)';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTenantId(value: string): boolean {
  return GUID.test(value);
}

/**
 * A fleet CA: azure-sphere is a tenant CA `CN=Microsoft Azure Sphere <tenant GUID>`; microchip is a root plus a
 * signer with path length 0 (the signer is what signs devices); generic is a plain root.
 */
export async function createFleetCa(
  profile: FleetProfile,
  opts: {
    tenantId?: string;
    commonName?: string;
    days?: number;
    notBefore?: Date;
    /** azure-sphere only: the tenant CA's key, P-384 (as Microsoft issues them) unless told P-256. */
    keyAlgorithm?: TenantKeyAlgorithm;
  } = {},
): Promise<FleetCa> {
  const days = {
    ...(opts.days !== undefined ? { days: opts.days } : {}),
    ...(opts.notBefore !== undefined ? { notBefore: opts.notBefore } : {}),
  };
  if (profile === 'azure-sphere') {
    const tenantId = (opts.tenantId ?? randomUUID()).toLowerCase();
    if (!isTenantId(tenantId))
      throw new CertificateError('INVALID_TENANT_ID', `tenant id must be a GUID, got "${tenantId}"`);
    const ca = await createAzureSphereTenantCa(opts.commonName ?? `${AZURE_SPHERE_CA_PREFIX}${tenantId}`, {
      ...days,
      keyAlgorithm: opts.keyAlgorithm ?? 'P-384',
    });
    return { ...ca, profile, tenantId };
  }
  if (profile === 'microchip') {
    const root = await createRootCa({
      commonName: 'Crypto Authentication Root CA 002',
      organization: MICROCHIP_ORGANIZATION,
      ...days,
    });
    const signer = await createIntermediateCa(root, {
      commonName: opts.commonName ?? `Crypto Authentication Signer ${randomBytes(2).toString('hex').toUpperCase()}00`,
      organization: MICROCHIP_ORGANIZATION,
      pathLength: 0,
      ...days,
    });
    return { ...signer, profile, root };
  }
  const ca = await createRootCa({ commonName: opts.commonName ?? 'jitr generic fleet CA', ...days });
  return { ...ca, profile };
}

export const TENANT_KEY_ALGORITHMS = ['P-384', 'P-256'] as const;
export type TenantKeyAlgorithm = (typeof TENANT_KEY_ALGORITHMS)[number];

/**
 * A tenant CA shaped like Microsoft's: a root ("2020") signs a policy CA, which signs the tenant CA; all ECDSA P-384
 * with SHA-384, and the tenant CA carries no subject or authority key identifier (so its devices carry no AKI and are
 * matched to it by name and signature). The root and policy CA here are stand-ins made on the spot; only the tenant CA
 * is trusted (registered with AWS IoT), as with the real ones. `chainPem` holds tenant, policy CA and root.
 */
async function createAzureSphereTenantCa(
  commonName: string,
  opts: { days?: number; notBefore?: Date; keyAlgorithm: TenantKeyAlgorithm },
): Promise<IssuedCa> {
  // The stand-ins outlive the tenant CA (real roots do), whatever validity a test gives the tenant CA.
  const parents = {
    days: Math.max(opts.days ?? 0, 3650) + 3650,
    ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
  };
  const root = await createRootCa({ commonName: AZURE_SPHERE_ROOT_NAME, keyAlgorithm: 'P-384', ...parents });
  const policy = await createIntermediateCa(root, {
    commonName: AZURE_SPHERE_POLICY_CA_NAME,
    keyAlgorithm: 'P-384',
    pathLength: 1,
    ...parents,
  });
  return createIntermediateCa(policy, {
    commonName,
    keyAlgorithm: opts.keyAlgorithm,
    keyIdentifiers: false,
    ...(opts.days !== undefined ? { days: opts.days } : {}),
    ...(opts.notBefore !== undefined ? { notBefore: opts.notBefore } : {}),
  });
}

/** A random 128-hex device id the way Azure Sphere prints them (uppercase). */
export function randomAzureSphereDeviceId(): string {
  return randomBytes(64).toString('hex').toUpperCase();
}

/** A Microchip-like serial CN: `sn` followed by the 9-byte ATECC608 serial number in uppercase hex. */
export function randomMicrochipSerial(): string {
  return `sn01${randomBytes(8).toString('hex').toUpperCase()}`;
}

/**
 * A device certificate of the fleet's profile. azure-sphere: CN = 128 hex, thing name its lowercase, 1 day by default
 * (they rotate daily). microchip: `O=Microchip Technology Inc, CN=sn<18 hex>` with an SKI; the thing name is the
 * lowercase SKI. generic: CN = the device id.
 */
export async function issueFleetDevice(
  fleet: FleetCa,
  opts: { deviceId?: string; days?: number; notBefore?: Date; csrPem?: string } = {},
): Promise<FleetDevice> {
  const common = {
    ...(opts.days !== undefined ? { days: opts.days } : {}),
    ...(opts.notBefore !== undefined ? { notBefore: opts.notBefore } : {}),
    ...(opts.csrPem !== undefined ? { csrPem: opts.csrPem } : {}),
  };
  if (fleet.profile === 'azure-sphere') {
    const deviceId = opts.deviceId ?? randomAzureSphereDeviceId();
    const issued = await issueDeviceCertificate(fleet, { subject: { commonName: deviceId }, days: 1, ...common });
    return { deviceId, thingName: deviceId.toLowerCase(), ...issued };
  }
  if (fleet.profile === 'microchip') {
    const commonName = opts.deviceId ?? randomMicrochipSerial();
    const issued = await issueDeviceCertificate(fleet, {
      subject: { commonName, organization: MICROCHIP_ORGANIZATION },
      subjectKeyIdentifier: true,
      ...common,
    });
    // The SKI is the identity: the serial in the CN is informative only.
    const thingName = keyIdentifierOf(issued.certificatePem);
    return { deviceId: thingName, thingName, commonName, ...issued };
  }
  const deviceId = opts.deviceId ?? `device-${randomBytes(4).toString('hex')}`;
  const issued = await issueDeviceCertificate(fleet, { subject: { commonName: deviceId }, ...common });
  return { deviceId, thingName: deviceId.toLowerCase(), ...issued };
}

/** The SKI our issuer writes: SHA-1 of the subjectPublicKey bits (RFC 5280 method 1), lowercase hex. */
function keyIdentifierOf(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha1')
    .update(subjectPublicKeyBits(new Uint8Array(spki)))
    .digest('hex');
}
