import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createFleetCa, issueFleetDevice, isTenantId } from '../../../certs/fleet.js';
import { validateDeviceCertificate } from '../../../certs/validate.js';
import { openssl, opensslText, opensslVerify, scratchDir } from '../../helpers/openssl.js';

const issuedAt = new Date('2026-03-01T00:00:00Z');
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

describe('azure-sphere fleets', () => {
  it('names the tenant CA after the tenant and issues day-long certificates with a 128-hex CN', async () => {
    const tenantId = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';
    const fleet = await createFleetCa('azure-sphere', { tenantId, notBefore: issuedAt });

    const device = await issueFleetDevice(fleet, { notBefore: issuedAt });

    expect(fleet.tenantId).toBe(tenantId.toLowerCase());
    expect(new X509Certificate(fleet.certificatePem).subject).toBe(
      `CN=Microsoft Azure Sphere ${tenantId.toLowerCase()}`,
    );
    const certificate = new X509Certificate(device.certificatePem);
    expect(certificate.subject).toBe(`CN=${device.deviceId}`);
    expect(device.deviceId).toMatch(/^[0-9A-F]{128}$/);
    expect(device.thingName).toBe(device.deviceId.toLowerCase());
    expect(new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime()).toBe(86_400_000);
    // Trusting the whole chain (tenant, policy CA, root 2020), openssl builds the path up to the self-signed root.
    const chainPath = scratch.write('az-chain.pem', fleet.chainPem ?? '');
    const devicePath = scratch.write('az-device.pem', device.certificatePem);
    expect(opensslVerify({ caFile: chainPath, certificate: devicePath, at: new Date('2026-03-01T12:00:00Z') }).ok).toBe(
      true,
    );
  });

  it('makes the tenant CA as Microsoft does: P-384 with SHA-384, no SKI/AKI, under a policy CA and a root 2020', async () => {
    const fleet = await createFleetCa('azure-sphere', { notBefore: issuedAt });
    const device = await issueFleetDevice(fleet, { notBefore: issuedAt });

    const tenantText = opensslText(scratch.write('tenant.pem', fleet.certificatePem));
    const deviceText = opensslText(scratch.write('tenant-device.pem', device.certificatePem));
    const chain = (fleet.chainPem ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

    expect(tenantText).toContain('ASN1 OID: secp384r1');
    expect(tenantText).toContain('Signature Algorithm: ecdsa-with-SHA384');
    expect(tenantText).not.toContain('Subject Key Identifier');
    expect(tenantText).not.toContain('Authority Key Identifier');
    expect(deviceText).toContain('Signature Algorithm: ecdsa-with-SHA384');
    expect(deviceText).not.toContain('Authority Key Identifier');
    expect(chain.map((pem) => new X509Certificate(pem).subject)).toEqual([
      `CN=Microsoft Azure Sphere ${fleet.tenantId}`,
      'CN=Azure Sphere Policy CA (simulated)',
      'CN=Azure Sphere Root 2020 (simulated)',
    ]);
    // Without key identifiers, the device is matched to its tenant CA by name and signature.
    expect(
      validateDeviceCertificate({
        certificate: device.certificatePem,
        issuer: fleet.certificatePem,
        profile: { profile: 'azure-sphere', tenantId: fleet.tenantId! },
        at: new Date('2026-03-01T06:00:00Z'),
      }).verdict,
    ).toBe('accept');
  });

  it('keeps P-256 as an option for the tenant CA', async () => {
    const fleet = await createFleetCa('azure-sphere', { keyAlgorithm: 'P-256', notBefore: issuedAt });

    const text = opensslText(scratch.write('tenant-256.pem', fleet.certificatePem));

    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).not.toContain('Subject Key Identifier');
  });

  it('makes up a tenant when none is given and refuses one that is not a GUID', async () => {
    const fleet = await createFleetCa('azure-sphere');
    expect(isTenantId(fleet.tenantId ?? '')).toBe(true);
    await expect(createFleetCa('azure-sphere', { tenantId: 'not-a-guid' })).rejects.toMatchObject({
      code: 'INVALID_TENANT_ID',
    });
  });

  it('keeps a given device id', async () => {
    const fleet = await createFleetCa('azure-sphere');
    const deviceId = 'ab'.repeat(64);
    const device = await issueFleetDevice(fleet, { deviceId, days: 2 });
    expect(device.thingName).toBe(deviceId);
  });
});

describe('microchip fleets', () => {
  it('issues sn-serial devices from a path-length-0 signer under a root; the thing name is the SKI', async () => {
    const fleet = await createFleetCa('microchip', { days: 30, notBefore: issuedAt });

    const device = await issueFleetDevice(fleet, { notBefore: issuedAt });

    expect(fleet.root).toBeDefined();
    const rootPath = scratch.write('mc-root.pem', fleet.root!.certificatePem);
    const signerPath = scratch.write('mc-signer.pem', fleet.certificatePem);
    const devicePath = scratch.write('mc-device.pem', device.certificatePem);
    expect(opensslText(signerPath)).toMatch(/CA:TRUE, pathlen:0/);
    const text = opensslText(devicePath);
    expect(text).toMatch(/Subject: O = Microchip Technology Inc, CN = sn[0-9A-F]{18}\n/);
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(text)?.[1]?.replaceAll(':', '').toLowerCase();
    expect(device.thingName).toBe(ski);
    expect(device.deviceId).toBe(ski);
    expect(device.commonName).toMatch(/^sn[0-9A-F]{18}$/);
    expect(
      opensslVerify({
        caFile: rootPath,
        untrusted: signerPath,
        certificate: devicePath,
        at: new Date('2026-03-02T00:00:00Z'),
      }).ok,
    ).toBe(true);
  });

  it('takes the key of a CSR and still names the thing after its SKI', async () => {
    const fleet = await createFleetCa('microchip');
    const keyPath = scratch.write(
      'mc.key',
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
    );
    const csrPem = openssl(['req', '-new', '-key', keyPath, '-subj', '/CN=csr']);

    const device = await issueFleetDevice(fleet, { csrPem, deviceId: 'sn0123456789ABCDEF01' });

    expect(device.privateKeyPem).toBeUndefined();
    const text = opensslText(scratch.write('mc-csr.pem', device.certificatePem));
    expect(text).toMatch(/CN = sn0123456789ABCDEF01/);
    expect(text.replaceAll(':', '').toLowerCase()).toContain(device.thingName);
  });
});

describe('generic fleets', () => {
  it('puts the device id in the CN', async () => {
    const fleet = await createFleetCa('generic', { commonName: 'Factory CA' });
    const device = await issueFleetDevice(fleet, { deviceId: 'Pump-42' });
    const random = await issueFleetDevice(fleet);

    expect(new X509Certificate(fleet.certificatePem).subject).toBe('CN=Factory CA');
    expect(new X509Certificate(device.certificatePem).subject).toBe('CN=Pump-42');
    expect(device.thingName).toBe('pump-42');
    expect(random.deviceId).toMatch(/^device-[0-9a-f]{8}$/);
  });
});
