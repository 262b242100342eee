import { readFileSync } from 'node:fs';
import {
  DescribeCertificateCommand,
  type IoTClient,
  RegisterCACertificateCommand,
  RegisterCertificateCommand,
  RegisterCertificateWithoutCACommand,
} from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedCa } from '../../certs/issue.js';
import { parseCertificate } from '../../certs/parse.js';
import { connectDevice, type GatewayAddress } from '../e2e/gateway-helpers.js';
import { iotClientFor, withEmulator } from '../helpers/aws.js';
import { scratchDir } from '../helpers/openssl.js';
import { type Digest, DEVICE_EXTENSIONS, OpensslPathFactory } from '../helpers/openssl-paths.js';
import { failureOf, registeredCa } from './control-plane-fixtures.js';
import { gatewayOf } from './gateway-fixtures.js';

// "Certificate signing algorithms supported by AWS IoT": SHA256WITHRSA, SHA384WITHRSA, SHA512WITHRSA,
// SHA256WITHRSAANDMGF1 (RSASSA-PSS), SHA384WITHRSAANDMGF1, SHA512WITHRSAANDMGF1, DSA_WITH_SHA256, ECDSA-WITH-SHA256,
// ECDSA-WITH-SHA384, ECDSA-WITH-SHA512. https://docs.aws.amazon.com/iot/latest/developerguide/x509-client-certs.html
// A certificate signed with MD5 or SHA-1 is neither registered nor auto-registered. Certificates made by openssl.
const scratch = scratchDir('jitr-signatures-');
afterAll(() => scratch.cleanup());
const make = new OpensslPathFactory(scratch);

function opensslDevice(ca: IssuedCa, name: string, digest: Digest) {
  const issuer = {
    path: scratch.write(`${name}-ca.cert.pem`, ca.certificatePem),
    key: scratch.write(`${name}-ca.key.pem`, ca.privateKeyPem),
  };
  const key = make.key(`${name}-device`);
  const device = make.certificate(name, { subject: `/CN=${name}`, key, issuer, extensions: DEVICE_EXTENSIONS, digest });
  return { certificatePem: readFileSync(device.path, 'utf8'), privateKeyPem: readFileSync(key, 'utf8') };
}

describe('emulator conformance: certificate signature algorithms', () => {
  const local = withEmulator({});
  let iot: IoTClient;
  let gateway: GatewayAddress;
  let ecCa: IssuedCa;
  let rsaCa: IssuedCa;

  beforeAll(async () => {
    iot = iotClientFor(local.emulator);
    gateway = await gatewayOf(local.emulator, iot);
    ecCa = await registeredCa(iot);
    rsaCa = await registeredCa(iot, { keyAlgorithm: 'RSA-2048' });
  });

  it('RegisterCertificate and RegisterCertificateWithoutCA refuse SHA-1 and MD5 signatures, and take SHA-256/384/512', async () => {
    const refused = [opensslDevice(ecCa, 'ec-sha1', 'sha1'), opensslDevice(rsaCa, 'rsa-md5', 'md5')];
    const taken = [opensslDevice(ecCa, 'ec-sha384', 'sha384'), opensslDevice(rsaCa, 'rsa-sha512', 'sha512')];

    for (const device of refused) {
      for (const call of [
        new RegisterCertificateCommand({ certificatePem: device.certificatePem, status: 'ACTIVE' }),
        new RegisterCertificateWithoutCACommand({ certificatePem: device.certificatePem, status: 'ACTIVE' }),
      ]) {
        const failure = await failureOf(iot.send(call as RegisterCertificateCommand));
        expect({ name: failure.name, status: failure.status }).toEqual({
          name: 'CertificateValidationException',
          status: 400,
        });
      }
    }
    for (const device of taken) {
      const registered = await iot.send(
        new RegisterCertificateCommand({ certificatePem: device.certificatePem, status: 'ACTIVE' }),
      );
      expect(registered.certificateId).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('does not auto-register a device signed with SHA-1 or MD5 by a CA that auto-registers', async () => {
    const devices = [opensslDevice(ecCa, 'jitr-sha1', 'sha1'), opensslDevice(rsaCa, 'jitr-md5', 'md5')];
    const control = opensslDevice(ecCa, 'jitr-sha256', 'sha256');

    for (const device of devices) {
      expect((await connectDevice(gateway, device, 'weak')).connected).toBe(false);
      const id = parseCertificate(device.certificatePem).certificateId;
      const failure = await failureOf(iot.send(new DescribeCertificateCommand({ certificateId: id })));
      expect(failure.name).toBe('ResourceNotFoundException');
    }
    expect((await connectDevice(gateway, control, 'control')).connected).toBe(false);
    const controlId = parseCertificate(control.certificatePem).certificateId;
    const described = await iot.send(new DescribeCertificateCommand({ certificateId: controlId }));
    expect(described.certificateDescription?.status).toBe('PENDING_ACTIVATION');
  });

  it('RegisterCACertificate refuses a CA certificate signed with SHA-1', async () => {
    const key = make.key('weak-ca');
    const weak = make.certificate('weak-ca', {
      subject: '/CN=Weak CA',
      key,
      extensions: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign'],
      digest: 'sha1',
    });

    const failure = await failureOf(
      iot.send(
        new RegisterCACertificateCommand({
          caCertificate: readFileSync(weak.path, 'utf8'),
          certificateMode: 'SNI_ONLY',
        }),
      ),
    );

    expect(failure.name).toBe('CertificateValidationException');
  });
});
