/** What the simulator works with: devices, how their connection attempts end, and what became of each. */

/** One device's credentials and names, as the device itself holds them. */
export interface DeviceIdentity {
  deviceId: string;
  /** The Thing the onboarding Lambda makes for it; also the MQTT client id. */
  thingName: string;
  certificatePem: string;
  privateKeyPem: string;
  certificateId: string;
  /** The certificate followed by its issuing CA; sent in the handshake when `presentsCa` is set. */
  chainPem?: string;
}

export interface SimulatedDevice {
  identity: DeviceIdentity;
  /** Send the issuing CA in the TLS handshake after the device certificate (optional in AWS IoT). Default: no. */
  presentsCa?: boolean;
  /** A new certificate for the same device (same key, same device id): what `--rotate` switches to. */
  reissue?: () => Promise<DeviceIdentity>;
  /** Free text the caller keeps with the device (the demo labels its bad devices). */
  label?: string;
}

/** How one connection attempt ended. */
export type AttemptOutcome =
  /** CONNACK, then the telemetry PUBACK: the device is online; `close()` ends the session. */
  | { kind: 'online'; close: () => Promise<void>; onLost: (listener: () => void) => void }
  /** Closed with no CONNACK: the JITR drop, a refused certificate, or a CONNECT the policy refused. */
  | { kind: 'dropped'; detail: string }
  /** Connected, but the telemetry publish was not acknowledged (refused by the policy or timed out). */
  | { kind: 'publish-refused'; detail: string };

/** The registry's view of a certificate; `UNKNOWN` when it could not be asked. */
export type CertificateState = 'ACTIVE' | 'PENDING_ACTIVATION' | 'INACTIVE' | 'REVOKED' | 'NOT_FOUND' | 'UNKNOWN';

export type CertificateStateLookup = (certificateId: string) => Promise<CertificateState>;

export type DeviceOutcome = 'online' | 'rejected' | 'failed';

export type Phase = 'boot' | 'rotate';

export interface DeviceResult {
  deviceId: string;
  thingName: string;
  certificateId: string;
  phase: Phase;
  outcome: DeviceOutcome;
  /** Why the device is not online (a stable code, see REASONS). */
  reason?: string;
  /** Connection attempts made, the successful one included. */
  attempts: number;
  /** From the first attempt to the acknowledged telemetry. */
  timeToOnlineMs?: number;
  /** When it came online, counted from the start of the run. */
  onlineAtMs?: number;
  label?: string;
}

/** Reason codes of devices that did not come online. */
export const REASONS = {
  /** The registry holds the certificate REVOKED: the onboarding Lambda (or an operator) refused it. */
  revoked: 'CERTIFICATE_REVOKED',
  /** Never registered although the device kept connecting: refused at the handshake (unknown or untrusted CA). */
  notRegistered: 'NOT_REGISTERED',
  /** Never registered, and the device's own certificate is past its notAfter. */
  expired: 'CERTIFICATE_EXPIRED',
  /** Never registered, and the device's own certificate is not valid yet. */
  notYetValid: 'CERTIFICATE_NOT_YET_VALID',
  /** Still PENDING_ACTIVATION when the device gave up: nothing activated it in time. */
  stillPending: 'STILL_PENDING',
  /** ACTIVE, yet every CONNECT was closed: the policy does not let it connect under its thing name. */
  connectRefused: 'CONNECT_REFUSED',
  /** Connected, but the telemetry publish was never acknowledged. */
  publishRefused: 'PUBLISH_REFUSED',
  inactive: 'CERTIFICATE_INACTIVE',
  /** Gave up without knowing more (no registry to ask). */
  timeout: 'TIMEOUT',
  /** The certificate could not be re-issued for `--rotate`. */
  reissueFailed: 'REISSUE_FAILED',
} as const;
