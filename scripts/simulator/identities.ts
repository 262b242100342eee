import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { type FleetCa, type FleetDevice, issueFleetDevice } from '../../certs/fleet.js';
import { signingKeyFromObject } from '../../certs/keygen.js';
import { x509 } from '../../certs/x509-lib.js';
import type { DeviceIdentity, SimulatedDevice } from './model.js';

const WEBCRYPTO_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** A CSR for an existing device key: how a device renews its certificate without the key leaving it. */
export async function csrForKey(privateKeyPem: string, commonName: string): Promise<string> {
  const privateKey: KeyObject = createPrivateKey(privateKeyPem);
  const signing = await signingKeyFromObject(privateKey);
  const curve = WEBCRYPTO_CURVE[privateKey.asymmetricKeyDetails?.namedCurve ?? ''];
  const importAlgorithm = curve ? { name: 'ECDSA', namedCurve: curve } : signing.algorithm;
  const publicKey = await crypto.subtle.importKey(
    'spki',
    createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
    importAlgorithm,
    true,
    ['verify'],
  );
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name([{ CN: [commonName] }]),
    keys: { privateKey: signing.key, publicKey },
    signingAlgorithm: signing.algorithm,
  });
  return csr.toString('pem');
}

function identityOf(device: FleetDevice, privateKeyPem: string): DeviceIdentity {
  return {
    deviceId: device.deviceId,
    thingName: device.thingName,
    certificatePem: device.certificatePem,
    privateKeyPem,
    certificateId: device.certificateId,
    chainPem: device.chainPem,
  };
}

export interface IssueOptions {
  /** Reuse a device id (e.g. a foreign CA claiming an existing device); default a fresh profile-shaped one. */
  deviceId?: string;
  days?: number;
  notBefore?: Date;
}

/**
 * A device of the fleet's profile with its own fresh key, and a `reissue` that renews its certificate for the same key
 * and device id (the Azure Sphere daily renewal; for microchip the same key keeps the SKI, hence the thing name).
 */
export async function issueSimulatedDevice(fleet: FleetCa, options: IssueOptions = {}): Promise<SimulatedDevice> {
  const first = await issueFleetDevice(fleet, options);
  const privateKeyPem = first.privateKeyPem ?? '';
  const commonName = first.commonName ?? first.deviceId;
  const reissue = async (): Promise<DeviceIdentity> => {
    const csrPem = await csrForKey(privateKeyPem, commonName);
    const renewed = await issueFleetDevice(fleet, {
      deviceId: fleet.profile === 'microchip' ? commonName : first.deviceId,
      csrPem,
      ...(options.days !== undefined ? { days: options.days } : {}),
    });
    return identityOf(renewed, privateKeyPem);
  };
  return { identity: identityOf(first, privateKeyPem), reissue };
}

/** `count` devices of the fleet, issued a few at a time (key generation is CPU work). */
export async function issueSimulatedDevices(fleet: FleetCa, count: number): Promise<SimulatedDevice[]> {
  const devices: SimulatedDevice[] = [];
  const batch = 16;
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    devices.push(...(await Promise.all(Array.from({ length: size }, () => issueSimulatedDevice(fleet)))));
  }
  return devices;
}
