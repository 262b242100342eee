import type { RevocationStatus } from '../crl/revocation.js';
import type { TrustedCa } from '../fleet-config.js';
import type { RegisteredEvent } from './event.js';

/** What the workflow knows about a device certificate (from DescribeCertificate). Times are epoch ms. */
export interface CertificateFacts {
  certificateId: string;
  certificateArn: string;
  status: string;
  /** Issuing CA as IoT recorded it; absent for certificates registered without a CA. */
  caCertificateId?: string;
  certificatePem: string;
  notBefore: number;
  notAfter: number;
  /** When IoT registered the certificate (its creationDate): for JITR, the device's first connection with it. */
  registeredAt: number;
}

/** What the workflow knows about a registered CA certificate (from DescribeCACertificate). */
export interface CaFacts {
  certificateId: string;
  status: string;
  certificatePem: string;
}

export interface ThingFacts {
  thingName: string;
  attributes: Record<string, string>;
  thingTypeName?: string;
}

/**
 * Thing attributes binding a Thing to the CA (and profile, tenant) whose certificate created it: 3 at most, the AWS limit
 * for a Thing without a thing type (fleet-binding.ts reads and writes the profile and tenant).
 */
export const BINDING = {
  ca: 'jitr_ca',
  /** `<profile>` or `<profile>/<tenantId>`. */
  profile: 'jitr_profile',
  /** Read only: Things written before the tenant moved into `jitr_profile` carry it here. */
  legacyTenant: 'jitr_tenant',
  /** The exact device id the Thing was created for: a certificate naming it any other way is refused. */
  deviceId: 'jitr_device_id',
} as const;

export interface DeviceVerdict {
  verdict: 'accept' | 'reject';
  reasons: { code: string; message: string }[];
  deviceId?: string;
  thingName?: string;
}

/** Pure validation of a device certificate against its CA at a given time (certs/ behind it). */
export type ValidateDevice = (input: {
  certificatePem: string;
  caCertificatePem: string;
  ca: TrustedCa;
  at: Date;
}) => DeviceVerdict;

/** Everything read so far for one event. `undefined` = not read yet; `null` = read, does not exist. */
export interface Facts {
  event: RegisteredEvent;
  now: number;
  certificate?: CertificateFacts | null;
  ca?: CaFacts | null;
  thing?: ThingFacts | null;
  /** Certificate ARNs attached to the Thing. */
  principals?: string[];
  /** Descriptions of the Thing's other certificates (those that still exist). */
  siblings?: CertificateFacts[];
  /** A policy this invocation attached before CreateThing found the Thing taken: undone if the certificate is revoked. */
  attachedPolicy?: string;
  /** What the CA's CRL says about the certificate (read only for a CA that names a CRL). */
  revocation?: RevocationStatus;
}

export type Read = 'certificate' | 'ca' | 'thing' | 'principals' | 'siblings' | 'revocation';

export type Action =
  | { type: 'createThing'; thingName: string; thingTypeName?: string; attributes: Record<string, string> }
  | { type: 'addThingToGroup'; thingName: string; thingGroupName: string }
  | { type: 'attachPolicy'; policyName: string; certificateArn: string }
  | { type: 'detachPolicy'; policyName: string; certificateArn: string }
  | { type: 'attachThing'; thingName: string; certificateArn: string }
  | { type: 'setStatus'; certificateId: string; status: 'ACTIVE' | 'REVOKED' | 'INACTIVE' }
  | { type: 'retire'; certificateId: string; certificateArn: string; thingName: string; policyName: string };

export type Decision =
  'onboarded' | 'rotated' | 'duplicate' | 'ignored' | 'deferred' | 'rejected' | 'superseded' | 'malformed';

export interface Plan {
  decision: Decision;
  reasons: string[];
  /** A security event: the certificate tried to take over a Thing it has no right to. */
  security?: boolean;
  deviceId?: string;
  thingName?: string;
  /** Stages run in order; the actions inside one stage are independent and run concurrently. */
  stages: Action[][];
  /** CERTIFICATE_REVOKED_BY_CA: the CRL entry's reason (keyCompromise, superseded, ...). */
  crlReason?: string;
  /** No current, trusted CRL could be had (CRL_UNREACHABLE, CRL_STALE, ...): deferred when failClosed, else noted. */
  crlProblem?: string;
}

export type Step = { kind: 'read'; reads: Read[]; thingName?: string } | { kind: 'act'; plan: Plan };
