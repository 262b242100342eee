import { X509Certificate } from 'node:crypto';
import { certificateId } from '../../certs/parse.js';
import { unsupportedSignatureAlgorithm } from '../control-plane/iot/certificate-checks.js';
import type { CaCertificateRecord, CertificateRecord } from '../state/model.js';
import type { RegistryStore } from '../state/store.js';

/**
 * What the gateway does with a TLS connection, decided from the client's leaf certificate alone (AWS IoT Core's
 * rules, see DESIGN.md "JITR"). Pure apart from reading the store.
 */
export type Admission =
  | { kind: 'connect'; certificate: CertificateRecord }
  /** Known and PENDING_ACTIVATION: publish the registration event again, drop without CONNACK. */
  | { kind: 'pending'; certificate: CertificateRecord }
  /** Unknown, from a registered ACTIVE CA with auto-registration on, signature verified: register, publish, drop. */
  | { kind: 'auto-register'; ca: CaCertificateRecord; certificatePem: string }
  | { kind: 'refuse'; code: RefusalCode; detail: string };

export type RefusalCode =
  | 'MALFORMED_CERTIFICATE'
  | 'CERTIFICATE_NOT_YET_VALID'
  | 'CERTIFICATE_EXPIRED'
  | 'CERTIFICATE_REVOKED'
  | 'CERTIFICATE_INACTIVE'
  | 'CERTIFICATE_NOT_ACTIVE'
  | 'UNKNOWN_ISSUER'
  | 'UNSUPPORTED_SIGNATURE_ALGORITHM'
  | 'BAD_SIGNATURE'
  | 'CA_INACTIVE'
  | 'AUTO_REGISTRATION_DISABLED';

type AdmissionStore = Pick<RegistryStore, 'getCertificate' | 'findCasBySubject'>;

const caKeys = new WeakMap<CaCertificateRecord, X509Certificate>();
function caCertificate(ca: CaCertificateRecord): X509Certificate {
  let parsed = caKeys.get(ca);
  if (!parsed) {
    parsed = new X509Certificate(ca.certificatePem);
    caKeys.set(ca, parsed);
  }
  return parsed;
}

/** `parsed` is the same certificate already parsed (the TLS layer's view), to avoid parsing it twice. */
export function admit(store: AdmissionStore, leafDer: Uint8Array, now: number, parsed?: X509Certificate): Admission {
  // Known certificates (every connection of an onboarded device) are decided from the record alone: hashing the DER
  // is much cheaper than parsing it, which only the JITR path needs.
  const known = store.getCertificate(certificateId(leafDer));
  if (known) return admitKnown(known, now);

  let leaf: X509Certificate;
  try {
    leaf = parsed ?? new X509Certificate(leafDer);
  } catch {
    return { kind: 'refuse', code: 'MALFORMED_CERTIFICATE', detail: 'the client certificate does not parse' };
  }
  const validity = outsideValidity(Date.parse(leaf.validFrom), Date.parse(leaf.validTo), now);
  if (validity) return validity;
  // AWS IoT does not register (nor accept) a certificate signed with MD5, SHA-1 or another unsupported algorithm.
  let refusedAlgorithm: string | undefined;
  try {
    refusedAlgorithm = unsupportedSignatureAlgorithm(leafDer);
  } catch {
    return { kind: 'refuse', code: 'MALFORMED_CERTIFICATE', detail: 'the client certificate does not parse' };
  }
  if (refusedAlgorithm) return { kind: 'refuse', code: 'UNSUPPORTED_SIGNATURE_ALGORITHM', detail: refusedAlgorithm };
  const candidates = store.findCasBySubject(leaf.issuer);
  if (candidates.length === 0) return { kind: 'refuse', code: 'UNKNOWN_ISSUER', detail: leaf.issuer };
  // Several registered CAs may share a Subject (AWS allows it); the one whose key signed the leaf decides.
  const signer = candidates.find((ca) => {
    try {
      return leaf.verify(caCertificate(ca).publicKey);
    } catch {
      return false;
    }
  });
  if (!signer)
    return { kind: 'refuse', code: 'BAD_SIGNATURE', detail: `no registered CA named ${leaf.issuer} signed it` };
  if (signer.status !== 'ACTIVE') return { kind: 'refuse', code: 'CA_INACTIVE', detail: signer.certificateId };
  if (signer.autoRegistrationStatus !== 'ENABLE') {
    return { kind: 'refuse', code: 'AUTO_REGISTRATION_DISABLED', detail: signer.certificateId };
  }
  return { kind: 'auto-register', ca: signer, certificatePem: leaf.toString() };
}

function outsideValidity(notBefore: number, notAfter: number, now: number): Admission | undefined {
  if (notBefore > now)
    return { kind: 'refuse', code: 'CERTIFICATE_NOT_YET_VALID', detail: new Date(notBefore).toISOString() };
  if (notAfter < now) return { kind: 'refuse', code: 'CERTIFICATE_EXPIRED', detail: new Date(notAfter).toISOString() };
  return undefined;
}

function admitKnown(known: CertificateRecord, now: number): Admission {
  const id = known.certificateId;
  const validity = outsideValidity(known.validity.notBefore, known.validity.notAfter, now);
  if (validity) return validity;
  switch (known.status) {
    case 'ACTIVE':
      return { kind: 'connect', certificate: known };
    case 'PENDING_ACTIVATION':
      return { kind: 'pending', certificate: known };
    case 'REVOKED':
      return { kind: 'refuse', code: 'CERTIFICATE_REVOKED', detail: id };
    case 'INACTIVE':
      return { kind: 'refuse', code: 'CERTIFICATE_INACTIVE', detail: id };
    default:
      return { kind: 'refuse', code: 'CERTIFICATE_NOT_ACTIVE', detail: `${id} is ${known.status}` };
  }
}

/**
 * The event AWS IoT publishes on `$aws/events/certificates/registered/<caCertificateId>`, in the documented shape:
 * `timestamp` a number, `certificateRegistrationTimestamp` a string (both epoch milliseconds).
 * https://docs.aws.amazon.com/iot/latest/developerguide/auto-register-device-cert.html
 */
export interface RegistrationEvent {
  certificateId: string;
  caCertificateId: string;
  timestamp: number;
  certificateStatus: 'PENDING_ACTIVATION';
  awsAccountId: string;
  certificateRegistrationTimestamp: string;
}

export function registrationTopic(caCertificateId: string): string {
  return `$aws/events/certificates/registered/${caCertificateId}`;
}

export function registrationEvent(certificate: CertificateRecord, accountId: string, now: number): RegistrationEvent {
  return {
    certificateId: certificate.certificateId,
    caCertificateId: certificate.caCertificateId ?? '',
    timestamp: now,
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: accountId,
    certificateRegistrationTimestamp: String(certificate.creationDate),
  };
}
