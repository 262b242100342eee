import { createPrivateKey, KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateCertificateFromCsrCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesByCACommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { describe, expect, it } from 'vitest';
import { createRootCa, issueDeviceCertificate } from '../../certs/issue.js';
import { certificateId } from '../../certs/parse.js';
import { x509 } from '../../certs/x509-lib.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { ALLOW_CONNECT_POLICY, failureOf, registeredCa, registeredDevice } from './control-plane-fixtures.js';

describe('control plane: device certificates', () => {
  const local = withEmulator();
  const iot = () => iotClientFor(local.emulator);

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCertificate.html
  // https://docs.aws.amazon.com/iot/latest/apireference/API_CertificateDescription.html (caCertificateId)
  it('registers a device certificate under the SHA-256 of its DER, with the id of the CA that signed it', async () => {
    const ca = await registeredCa(iot());
    const device = await issueDeviceCertificate(ca, { subject: { commonName: 'dev-a' } });
    const registered = await iot().send(
      new RegisterCertificateCommand({ certificatePem: device.certificatePem, status: 'ACTIVE' }),
    );
    const expectedId = certificateId(new X509Certificate(device.certificatePem).raw);
    expect(registered.certificateId).toBe(expectedId);
    expect(registered.certificateArn).toBe(`arn:aws:iot:us-east-1:000000000000:cert/${expectedId}`);
    const { certificateDescription } = await iot().send(new DescribeCertificateCommand({ certificateId: expectedId }));
    expect(certificateDescription).toMatchObject({ caCertificateId: ca.certificateId, status: 'ACTIVE' });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCertificate.html (CertificateValidationException)
  it('refuses a device certificate no registered CA signed', async () => {
    const unknownCa = await createRootCa({ commonName: 'Unregistered CA' });
    const device = await issueDeviceCertificate(unknownCa, { subject: { commonName: 'stray' } });
    const failure = await failureOf(
      iot().send(new RegisterCertificateCommand({ certificatePem: device.certificatePem })),
    );
    expect(failure).toMatchObject({ name: 'CertificateValidationException', status: 400 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCertificate.html (ResourceAlreadyExistsException)
  it('refuses to register the same certificate twice', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca);
    const failure = await failureOf(
      iot().send(new RegisterCertificateCommand({ certificatePem: device.certificatePem })),
    );
    expect(failure).toMatchObject({ name: 'ResourceAlreadyExistsException', status: 409 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_RegisterCertificateWithoutCA.html
  it('registers a certificate without a CA in SNI_ONLY mode and with no caCertificateId', async () => {
    const ca = await createRootCa({ commonName: 'Never registered' });
    const device = await issueDeviceCertificate(ca, { subject: { commonName: 'no-ca' } });
    const registered = await iot().send(
      new RegisterCertificateWithoutCACommand({ certificatePem: device.certificatePem }),
    );
    const { certificateDescription } = await iot().send(
      new DescribeCertificateCommand({ certificateId: registered.certificateId }),
    );
    expect(certificateDescription?.certificateMode).toBe('SNI_ONLY');
    expect(certificateDescription?.caCertificateId).toBeUndefined();
    expect(certificateDescription?.status).toBe('INACTIVE');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateCertificate.html
  it('moves a certificate between INACTIVE and ACTIVE', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca, 'INACTIVE');
    await iot().send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'ACTIVE' }));
    await iot().send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'INACTIVE' }));
    await iot().send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'ACTIVE' }));
    const { certificateDescription } = await iot().send(
      new DescribeCertificateCommand({ certificateId: device.certificateId }),
    );
    expect(certificateDescription?.status).toBe('ACTIVE');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateCertificate.html (CertificateStateException, 406)
  // https://docs.aws.amazon.com/iot/latest/developerguide/x509-client-certs.html: a revoked certificate cannot be reactivated.
  it('keeps a REVOKED certificate REVOKED', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca, 'ACTIVE');
    await iot().send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'REVOKED' }));
    const failure = await failureOf(
      iot().send(new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'ACTIVE' })),
    );
    expect(failure).toMatchObject({ name: 'CertificateStateException', status: 406 });
    const { certificateDescription } = await iot().send(
      new DescribeCertificateCommand({ certificateId: device.certificateId }),
    );
    expect(certificateDescription?.status).toBe('REVOKED');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_UpdateCertificate.html
  // "Setting the status to PENDING_TRANSFER or PENDING_ACTIVATION will result in an exception being thrown."
  it('refuses to set the internal PENDING_ACTIVATION status', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca, 'INACTIVE');
    const failure = await failureOf(
      iot().send(
        new UpdateCertificateCommand({ certificateId: device.certificateId, newStatus: 'PENDING_ACTIVATION' }),
      ),
    );
    expect(failure.status).toBe(400);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteCertificate.html
  // "A certificate cannot be deleted if ... its status is set to ACTIVE."
  it('refuses to delete an ACTIVE certificate', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca, 'ACTIVE');
    const failure = await failureOf(iot().send(new DeleteCertificateCommand({ certificateId: device.certificateId })));
    expect(failure).toMatchObject({ name: 'CertificateStateException', status: 406 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteCertificate.html
  // "A certificate cannot be deleted if it has a policy or IoT thing attached to it"; forceDelete works only without things.
  it('refuses to delete a certificate attached to a thing, even with forceDelete', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca, 'INACTIVE');
    await iot().send(new CreateThingCommand({ thingName: 'delete-conflict-thing' }));
    await iot().send(
      new AttachThingPrincipalCommand({ thingName: 'delete-conflict-thing', principal: device.certificateArn }),
    );
    const failure = await failureOf(
      iot().send(new DeleteCertificateCommand({ certificateId: device.certificateId, forceDelete: true })),
    );
    expect(failure).toMatchObject({ name: 'DeleteConflictException', status: 409 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_DeleteCertificate.html
  // forceDelete: "Forces the deletion of a certificate if it is inactive and is not attached to an IoT thing."
  it('refuses to delete a certificate with a policy attached unless forced', async () => {
    const ca = await registeredCa(iot());
    const device = await registeredDevice(iot(), ca, 'INACTIVE');
    await iot().send(
      new CreatePolicyCommand({ policyName: 'delete-conflict-policy', policyDocument: ALLOW_CONNECT_POLICY }),
    );
    await iot().send(new AttachPolicyCommand({ policyName: 'delete-conflict-policy', target: device.certificateArn }));
    const failure = await failureOf(iot().send(new DeleteCertificateCommand({ certificateId: device.certificateId })));
    expect(failure).toMatchObject({ name: 'DeleteConflictException', status: 409 });
    await iot().send(new DeleteCertificateCommand({ certificateId: device.certificateId, forceDelete: true }));
    const gone = await failureOf(iot().send(new DescribeCertificateCommand({ certificateId: device.certificateId })));
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_ListCertificatesByCA.html
  it('lists the certificates signed by one CA only', async () => {
    const ca = await registeredCa(iot());
    const other = await registeredCa(iot());
    const mine = await registeredDevice(iot(), ca);
    await registeredDevice(iot(), other);
    const { certificates } = await iot().send(new ListCertificatesByCACommand({ caCertificateId: ca.certificateId }));
    expect(certificates?.map((c) => c.certificateId)).toEqual([mine.certificateId]);
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateKeysAndCertificate.html
  it('creates a key pair and a certificate for it, ACTIVE when setAsActive', async () => {
    const created = await iot().send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    const certificate = new X509Certificate(created.certificatePem ?? '');
    expect(created.certificateId).toBe(certificateId(certificate.raw));
    expect(created.keyPair?.PrivateKey).toContain('PRIVATE KEY');
    expect(certificate.checkPrivateKey(createPrivateKey(created.keyPair?.PrivateKey ?? ''))).toBe(true);
    const { certificateDescription } = await iot().send(
      new DescribeCertificateCommand({ certificateId: created.certificateId }),
    );
    expect(certificateDescription?.status).toBe('ACTIVE');
  });

  // https://docs.aws.amazon.com/iot/latest/apireference/API_CreateCertificateFromCsr.html
  it('issues a certificate for the key of a CSR', async () => {
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=csr-device',
      keys,
      signingAlgorithm: algorithm,
    });
    const publicKey = KeyObject.from(keys.publicKey);
    const created = await iot().send(
      new CreateCertificateFromCsrCommand({ certificateSigningRequest: csr.toString('pem') }),
    );
    const certificate = new X509Certificate(created.certificatePem ?? '');
    expect(certificate.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      publicKey.export({ type: 'spki', format: 'der' }),
    );
    expect(certificate.subject).toContain('CN=csr-device');
  });
});
