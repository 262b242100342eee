import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFleetCa } from '../../../certs/fleet.js';
import { parseCertificate } from '../../../certs/parse.js';
import { caWithKey, readCaCertificate, readPrivateKey, tenantIdOf } from '../../../scripts/operator/ca-input.js';
import { resolveOptions } from '../../../scripts/operator/preconfigure-options.js';

const tenantId = '6f1b2c3d-0000-4000-8000-00000000abcd';
const sphere = await createFleetCa('azure-sphere', { tenantId });
const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('CA input', () => {
  it('reads a DER CA and its DER key, and finds the Azure Sphere tenant', () => {
    const ca = readCaCertificate(parseCertificate(sphere.certificatePem).der, 'tenant.cer');
    const derKey = createPrivateKey(sphere.privateKeyPem).export({ format: 'der', type: 'pkcs8' });

    const key = readPrivateKey(derKey, 'key.der');

    expect(ca.certificateId).toBe(sphere.certificateId);
    expect(tenantIdOf(ca)).toBe(tenantId);
    expect(caWithKey(ca, key, 'key.der').certificateId).toBe(sphere.certificateId);
  });

  it.each([
    ['a certificate given as key', sphere.certificatePem, 'CA_KEY_UNREADABLE'],
    [
      'an encrypted key',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
      'CA_KEY_UNREADABLE',
    ],
    ['random bytes', 'not a key at all', 'CA_KEY_UNREADABLE'],
  ])('refuses %s', (_name, text, code) => {
    expect(() => readPrivateKey(bytes(text), 'x')).toThrow(expect.objectContaining({ code, exitCode: 2 }));
  });

  it('never puts key material in the error message', () => {
    const almostKey = `-----BEGIN RSA PUBLIC KEY-----\nSECRETSECRET\n-----END RSA PUBLIC KEY-----\n`;

    expect(() => readPrivateKey(bytes(almostKey), 'k.pem')).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('SECRET') }),
    );
  });
});

describe('preconfigure options', () => {
  const base = { caCertificate: sphere.certificatePem, profile: 'generic' as const };

  it.each([
    ['two proofs', { ...base, caKey: 'k', sniOnly: true }, /only one of/],
    ['a tenant on a generic CA', { ...base, tenantId }, /azure-sphere only/],
    ['a pattern that is not a regular expression', { ...base, pattern: '(' }, /--pattern/],
    ['a function that is not a Lambda ARN', { ...base, functionArn: 'arn:aws:sqs:x' }, /--function-arn/],
    ['a stage with spaces', { ...base, stage: 'my stage' }, /--stage/],
    ['an unknown profile', { ...base, profile: 'esp32' as 'generic' }, /--profile/],
  ])('refuses %s before any AWS call', (_name, options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it('refuses a tenant that is not the CA’s', () => {
    const resolved = resolveOptions({
      ...base,
      profile: 'azure-sphere',
      tenantId: '00000000-0000-4000-8000-000000000000',
    });

    expect(() => resolved.tenantFor(readCaCertificate(bytes(sphere.certificatePem), 'ca'))).toThrow(
      expect.objectContaining({ code: 'TENANT_MISMATCH' }),
    );
  });
});
