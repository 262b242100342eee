import { X509Certificate } from 'node:crypto';
import {
  DeleteCACertificateCommand,
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  ListCACertificatesCommand,
  RegisterCACertificateCommand,
  UpdateCACertificateCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { createRootCa, createVerificationCertificate, issueDeviceCertificate } from '../../certs/issue.js';
import { certificateId } from '../../certs/parse.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { failureOf, registeredCa } from './control-plane-fixtures.js';

describe('control plane: CA certificates', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);

  // https://docs.aws.amazon.com/iot/latest/apireference/API_GetRegistrationCode.html
  // "Gets a registration code used to register a CA certificate with IoT": one code per account, the same on every call.
  it('returns the same registration code on every call', async () => {
    const first = await iot().send(new GetRegistrationCodeCommand({}));
    const second = await iot().send(new GetRegistrationCodeCommand({}));
    expect(first.registrationCode).toMatch(/^[0-9a-f]{64}$/);
    expect(second.registrationCode).toBe(first.registrationCode);
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/register-CA-cert.html (certificate ID = SHA-256 of the DER)
  it('registers a CA under the SHA-256 of its DER, ACTIVE and auto-registering when asked', async () => {
    const ca = await registeredCa(iot(), { active: true, autoRegistration: true });
    const der = new X509Certificate(ca.certificatePem).raw;
    const { certificateDescription } = await iot().send(
      new DescribeCACertificateCommand({ certificateId: certificateId(der) }),
    );
    expect(certificateDescription?.certificateId).toBe(certificateId(der));
    expect(certificateDescription?.status).toBe('ACTIVE');
    expect(certificateDescription?.autoRegistrationStatus).toBe('ENABLE');
    expect(certificateDescription?.certificateMode).toBe('DEFAULT');
    expect(certificateDescription?.creationDate).toBeInstanceOf(Date);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCACertificate.html
  // setAsActive / allowAutoRegistration are query parameters that default to false.
  it('registers a CA INACTIVE with auto-registration DISABLE by default', async () => {
    const ca = await registeredCa(iot(), { active: false, autoRegistration: false });
    const { certificateDescription } = await iot().send(
      new DescribeCACertificateCommand({ certificateId: ca.certificateId }),
    );
    expect(certificateDescription?.status).toBe('INACTIVE');
    expect(certificateDescription?.autoRegistrationStatus).toBe('DISABLE');
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/register-CA-cert.html
  // The verification certificate's Common Name must be the registration code.
  it('refuses a verification certificate whose CN is not the registration code', async () => {
    const ca = await createRootCa({ commonName: 'Wrong code CA' });
    const verification = await createVerificationCertificate(ca, 'not-the-registration-code');
    const failure = await failureOf(
      iot().send(
        new RegisterCACertificateCommand({
          caCertificate: ca.certificatePem,
          verificationCertificate: verification.certificatePem,
        }),
      ),
    );
    expect(failure).toMatchObject({ name: 'CertificateValidationException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/developerguide/register-CA-cert.html
  // The verification certificate must be signed by the private key of the CA being registered.
  it('refuses a verification certificate signed by another key', async () => {
    const ca = await createRootCa({ commonName: 'Claimed CA' });
    const impostor = await createRootCa({ commonName: 'Claimed CA' });
    const { registrationCode } = await iot().send(new GetRegistrationCodeCommand({}));
    const verification = await createVerificationCertificate(impostor, registrationCode ?? '');
    const failure = await failureOf(
      iot().send(
        new RegisterCACertificateCommand({
          caCertificate: ca.certificatePem,
          verificationCertificate: verification.certificatePem,
        }),
      ),
    );
    expect(failure).toMatchObject({ name: 'CertificateValidationException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCACertificate.html
  // "verificationCertificate ... Required: No" — SNI_ONLY mode registers a CA without proof of possession.
  it('registers a CA in SNI_ONLY mode without a verification certificate', async () => {
    const ca = await createRootCa({ commonName: 'SNI only CA' });
    const registered = await iot().send(
      new RegisterCACertificateCommand({
        caCertificate: ca.certificatePem,
        certificateMode: 'SNI_ONLY',
        setAsActive: true,
      }),
    );
    const { certificateDescription } = await iot().send(
      new DescribeCACertificateCommand({ certificateId: registered.certificateId }),
    );
    expect(certificateDescription?.certificateMode).toBe('SNI_ONLY');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCACertificate.html (ResourceAlreadyExistsException, 409)
  it('refuses to register the same CA twice', async () => {
    const ca = await registeredCa(iot());
    const { registrationCode } = await iot().send(new GetRegistrationCodeCommand({}));
    const verification = await createVerificationCertificate(ca, registrationCode ?? '');
    const failure = await failureOf(
      iot().send(
        new RegisterCACertificateCommand({
          caCertificate: ca.certificatePem,
          verificationCertificate: verification.certificatePem,
        }),
      ),
    );
    expect(failure).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCACertificate.html (CertificateValidationException)
  it('refuses a certificate that is not a CA', async () => {
    const ca = await createRootCa({ commonName: 'Issuer' });
    const leaf = await issueDeviceCertificate(ca, { subject: { commonName: 'leaf' } });
    const failure = await failureOf(
      iot().send(new RegisterCACertificateCommand({ caCertificate: leaf.certificatePem, certificateMode: 'SNI_ONLY' })),
    );
    expect(failure.name).toBe('CertificateValidationException');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCACertificate.html (CertificateValidationException)
  it('refuses an expired CA certificate', async () => {
    const expired = await createRootCa({
      commonName: 'Expired CA',
      notBefore: new Date('2020-01-01T00:00:00Z'),
      days: 30,
    });
    const failure = await failureOf(
      iot().send(
        new RegisterCACertificateCommand({ caCertificate: expired.certificatePem, certificateMode: 'SNI_ONLY' }),
      ),
    );
    expect(failure).toMatchObject({ name: 'CertificateValidationException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateCACertificate.html (newStatus, newAutoRegistrationStatus)
  it('updates the status and auto-registration of a CA', async () => {
    const ca = await registeredCa(iot(), { active: true, autoRegistration: true });
    await iot().send(
      new UpdateCACertificateCommand({
        certificateId: ca.certificateId,
        newStatus: 'INACTIVE',
        newAutoRegistrationStatus: 'DISABLE',
      }),
    );
    const { certificateDescription } = await iot().send(
      new DescribeCACertificateCommand({ certificateId: ca.certificateId }),
    );
    expect(certificateDescription).toMatchObject({ status: 'INACTIVE', autoRegistrationStatus: 'DISABLE' });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteCACertificate.html (CertificateStateException, 406)
  it('refuses to delete an ACTIVE CA and deletes it once INACTIVE', async () => {
    const ca = await registeredCa(iot(), { active: true });
    const failure = await failureOf(iot().send(new DeleteCACertificateCommand({ certificateId: ca.certificateId })));
    expect(failure).toMatchObject({ name: 'CertificateStateException', status: 406 });
    await iot().send(new UpdateCACertificateCommand({ certificateId: ca.certificateId, newStatus: 'INACTIVE' }));
    await iot().send(new DeleteCACertificateCommand({ certificateId: ca.certificateId }));
    const gone = await failureOf(iot().send(new DescribeCACertificateCommand({ certificateId: ca.certificateId })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListCACertificates.html (pageSize / marker / nextMarker)
  it('lists CA certificates page by page', async () => {
    await registeredCa(iot());
    await registeredCa(iot());
    const first = await iot().send(new ListCACertificatesCommand({ pageSize: 1 }));
    expect(first.certificates).toHaveLength(1);
    expect(first.nextMarker).toBeDefined();
    const second = await iot().send(new ListCACertificatesCommand({ pageSize: 1, marker: first.nextMarker }));
    expect(second.certificates?.[0]?.certificateId).not.toBe(first.certificates?.[0]?.certificateId);
  });
});
