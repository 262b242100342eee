import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRootCa, type IssuedCa, type IssuedDevice, issueDeviceCertificate } from '../../../../certs/issue.js';
import { parseCertificate } from '../../../../certs/parse.js';
import { admit, registrationEvent, registrationTopic } from '../../../../local/gateway/admission.js';
import type { CaCertificateRecord } from '../../../../local/state/model.js';
import { RegistryStore } from '../../../../local/state/store.js';

// The JITR decision on a connection's leaf certificate, checked at a fixed date.
const issuedAt = new Date('2026-01-01T00:00:00Z');
const checkDate = Date.parse('2026-06-01T00:00:00Z');
const der = (device: IssuedDevice) => parseCertificate(device.certificatePem).der;

function caRecord(
  store: RegistryStore,
  ca: IssuedCa,
  overrides: Partial<CaCertificateRecord> = {},
): CaCertificateRecord {
  const x509 = new X509Certificate(ca.certificatePem);
  return {
    certificateId: ca.certificateId,
    certificateArn: store.caArn(ca.certificateId),
    certificatePem: ca.certificatePem,
    status: 'ACTIVE',
    autoRegistrationStatus: 'ENABLE',
    certificateMode: 'DEFAULT',
    ownedBy: '111122223333',
    creationDate: 0,
    lastModifiedDate: 0,
    customerVersion: 1,
    generationId: 'g',
    validity: { notBefore: Date.parse(x509.validFrom), notAfter: Date.parse(x509.validTo) },
    ...overrides,
  };
}

describe('admit', () => {
  let fleet: IssuedCa;
  let impostor: IssuedCa;
  let device: IssuedDevice;
  let forged: IssuedDevice;

  beforeAll(async () => {
    fleet = await createRootCa({ commonName: 'Fleet CA', notBefore: issuedAt });
    // Same Subject as the fleet CA, different key: its devices claim the fleet as issuer but do not verify.
    impostor = await createRootCa({ commonName: 'Fleet CA', notBefore: issuedAt });
    device = await issueDeviceCertificate(fleet, { subject: { commonName: 'dev1' }, notBefore: issuedAt });
    forged = await issueDeviceCertificate(impostor, { subject: { commonName: 'dev2' }, notBefore: issuedAt });
  });

  const storeWith = (overrides: Partial<CaCertificateRecord> = {}) => {
    const store = new RegistryStore({ region: 'eu-west-1', accountId: '111122223333' });
    store.putCa(caRecord(store, fleet, overrides));
    return store;
  };

  it('auto-registers an unknown certificate from an ACTIVE CA with auto-registration on', () => {
    const admission = admit(storeWith(), der(device), checkDate);
    expect(admission.kind).toBe('auto-register');
    if (admission.kind === 'auto-register') expect(admission.ca.certificateId).toBe(fleet.certificateId);
  });

  it('refuses an unknown issuer, a bad signature, an inactive CA and auto-registration off', () => {
    const empty = new RegistryStore({ region: 'eu-west-1', accountId: '111122223333' });
    expect(admit(empty, der(device), checkDate)).toMatchObject({ kind: 'refuse', code: 'UNKNOWN_ISSUER' });
    expect(admit(storeWith(), der(forged), checkDate)).toMatchObject({ kind: 'refuse', code: 'BAD_SIGNATURE' });
    expect(admit(storeWith({ status: 'INACTIVE' }), der(device), checkDate)).toMatchObject({ code: 'CA_INACTIVE' });
    expect(admit(storeWith({ autoRegistrationStatus: 'DISABLE' }), der(device), checkDate)).toMatchObject({
      code: 'AUTO_REGISTRATION_DISABLED',
    });
  });

  it('picks the CA whose key signed the certificate among CAs sharing a Subject', () => {
    const store = storeWith();
    store.putCa(caRecord(store, impostor));
    expect(admit(store, der(forged), checkDate)).toMatchObject({
      kind: 'auto-register',
      ca: { certificateId: impostor.certificateId },
    });
  });

  it('drops a pending certificate again and lets only an ACTIVE one connect', () => {
    const store = storeWith();
    const record = store.autoRegisterCertificate({
      certificatePem: device.certificatePem,
      caCertificateId: fleet.certificateId,
      now: 1,
    });
    expect(admit(store, der(device), checkDate)).toMatchObject({ kind: 'pending' });
    store.setCertificateStatus(record.certificateId, 'ACTIVE', 2);
    expect(admit(store, der(device), checkDate)).toMatchObject({ kind: 'connect' });
    expect(admit(store, der(device), Date.parse('2027-06-01T00:00:00Z'))).toMatchObject({
      code: 'CERTIFICATE_EXPIRED',
    });
    store.setCertificateStatus(record.certificateId, 'INACTIVE', 3);
    expect(admit(store, der(device), checkDate)).toMatchObject({ code: 'CERTIFICATE_INACTIVE' });
    store.setCertificateStatus(record.certificateId, 'REVOKED', 4);
    expect(admit(store, der(device), checkDate)).toMatchObject({ code: 'CERTIFICATE_REVOKED' });
  });

  it('refuses a certificate outside its validity period and bytes that are not a certificate', () => {
    const store = storeWith();
    expect(admit(store, der(device), Date.parse('2025-12-01T00:00:00Z'))).toMatchObject({
      code: 'CERTIFICATE_NOT_YET_VALID',
    });
    expect(admit(store, der(device), Date.parse('2027-06-01T00:00:00Z'))).toMatchObject({
      code: 'CERTIFICATE_EXPIRED',
    });
    expect(admit(store, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), checkDate)).toMatchObject({
      code: 'MALFORMED_CERTIFICATE',
    });
  });

  it('builds the registration event AWS publishes, on the CA-specific reserved topic', () => {
    const store = storeWith();
    const record = store.autoRegisterCertificate({
      certificatePem: device.certificatePem,
      caCertificateId: fleet.certificateId,
      now: 1234,
    });
    expect(registrationEvent(record, '111122223333', 5678)).toEqual({
      certificateId: device.certificateId,
      caCertificateId: fleet.certificateId,
      timestamp: 5678,
      certificateStatus: 'PENDING_ACTIVATION',
      awsAccountId: '111122223333',
      certificateRegistrationTimestamp: '1234',
    });
    expect(registrationTopic(fleet.certificateId)).toBe(`$aws/events/certificates/registered/${fleet.certificateId}`);
  });
});
