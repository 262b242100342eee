import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetCa } from '../../../certs/fleet.js';
import { openssl, opensslFingerprint, scratchDir } from '../../helpers/openssl.js';
import { hasStackTrace, jitr } from './run-cli.js';

const scratch = scratchDir('jitr-cli-inspect-');
afterAll(() => scratch.cleanup());
const caDir = join(scratch.dir, 'ca');
const deviceDir = join(scratch.dir, 'device');
mkdirSync(caDir);
const at = '2026-03-01T00:00:00Z';
let deviceId: string;

beforeAll(async () => {
  // The CA is made through the library so that it has a fixed start date (`ca create` always starts now).
  const fleet = await createFleetCa('azure-sphere', {
    tenantId: '0b7f5a7e-2c49-4f1c-9d44-5b8c7a1e2f30',
    notBefore: new Date('2026-01-01T00:00:00Z'),
  });
  scratch.write('ca/ca.cert.pem', fleet.certificatePem);
  scratch.write('ca/ca.key.pem', fleet.privateKeyPem);
  const issued = jitr([
    'device',
    'issue',
    '--ca',
    caDir,
    '--profile',
    'azure-sphere',
    '--out',
    deviceDir,
    '--not-before',
    '2026-02-28T12:00:00Z',
    '--json',
  ]);
  deviceId = (issued.json as { deviceId: string }).deviceId;
});

const cert = () => join(deviceDir, 'device.cert.pem');
const ca = () => join(caDir, 'ca.cert.pem');

describe('jitr cert inspect', () => {
  it('prints every field and exits 0 for an acceptable certificate', () => {
    const run = jitr(['cert', 'inspect', cert(), '--ca', ca(), '--profile', 'azure-sphere', '--at', at, '--json']);

    expect(run.status).toBe(0);
    expect(run.json).toEqual({
      certificateId: opensslFingerprint(cert()),
      subject: `CN=${deviceId}`,
      issuer: expect.stringMatching(/^CN=Microsoft Azure Sphere /),
      serialNumber: expect.stringMatching(/^[0-9a-f]+$/),
      notBefore: '2026-02-28T12:00:00.000Z',
      notAfter: '2026-03-01T12:00:00.000Z',
      keyType: 'EC P-256',
      isCa: false,
      deviceId: deviceId.toLowerCase(),
      thingName: deviceId.toLowerCase(),
      verdict: 'accept',
      reasons: [],
    });
  });

  it('reads DER as well as PEM, and prints a human summary without --json', () => {
    const der = join(scratch.dir, 'device.der');
    openssl(['x509', '-in', cert(), '-outform', 'DER', '-out', der]);

    const run = jitr(['cert', 'inspect', der, '--ca', ca(), '--profile', 'azure-sphere', '--at', at]);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^certificateId +[0-9a-f]{64}$/m);
    expect(run.stdout).toMatch(/^verdict +ACCEPT/m);
  });

  it('exits 3 with the reasons for a rejected certificate', () => {
    const tenant = '11111111-2222-3333-4444-555555555555';
    const run = jitr([
      'cert',
      'inspect',
      cert(),
      '--ca',
      ca(),
      '--profile',
      'azure-sphere',
      '--tenant-id',
      tenant,
      '--at',
      '2026-04-01T00:00:00Z',
      '--json',
    ]);

    expect(run.status).toBe(3);
    expect(run.json).toMatchObject({ verdict: 'reject', reasons: [{ code: 'EXPIRED' }, { code: 'TENANT_MISMATCH' }] });
  });

  it('applies a deny list file and a generic pattern', () => {
    const deny = scratch.write('deny.json', JSON.stringify({ deviceIds: [deviceId] }));
    const denied = jitr([
      'cert',
      'inspect',
      cert(),
      '--ca',
      ca(),
      '--profile',
      'azure-sphere',
      '--deny',
      deny,
      '--at',
      at,
      '--json',
    ]);
    const patterned = jitr([
      'cert',
      'inspect',
      cert(),
      '--ca',
      ca(),
      '--profile',
      'generic',
      '--pattern',
      '^(?<id>[0-9A-F]{8})',
      '--at',
      at,
      '--json',
    ]);

    expect(denied.status).toBe(3);
    expect(denied.json).toMatchObject({ reasons: [{ code: 'DENIED' }] });
    expect(patterned.status).toBe(0);
    expect(patterned.json).toMatchObject({
      deviceId: deviceId.slice(0, 8),
      thingName: deviceId.slice(0, 8).toLowerCase(),
    });
  });

  it.each([
    ['an empty file', ''],
    ['a truncated PEM', '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ1'],
    ['a private key', 'KEY'],
    ['binary garbage', 'GARBAGE'],
  ])('exits 2 with MALFORMED_CERTIFICATE for %s, without a stack trace', (name, content) => {
    const body =
      content === 'KEY'
        ? openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'])
        : content === 'GARBAGE'
          ? new Uint8Array([0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])
          : content;
    const path = scratch.write(`${name.replaceAll(' ', '-')}.pem`, body);

    const human = jitr(['cert', 'inspect', path, '--ca', ca()]);
    const json = jitr(['cert', 'inspect', path, '--ca', ca(), '--json']);

    expect(human.status).toBe(2);
    expect(human.stderr).toMatch(/^jitr: MALFORMED_CERTIFICATE: certificate .+: .+/);
    expect(hasStackTrace(human.stderr + human.stdout)).toBe(false);
    expect(json.json).toMatchObject({ error: { code: 'MALFORMED_CERTIFICATE' } });
  });

  it.each([
    [['--ca', '/nonexistent/ca.pem'], 'FILE_UNREADABLE'],
    [['--profile', 'generic', '--pattern', '(unclosed'], 'USAGE'],
    [['--profile', 'microchip', '--tenant-id', '0b7f5a7e-2c49-4f1c-9d44-5b8c7a1e2f30'], 'USAGE'],
    [['--at', 'noon'], 'USAGE'],
    [['--deny', '/nonexistent/deny.json'], 'FILE_UNREADABLE'],
  ])('exits 2 for %j', (args, code) => {
    const run = jitr(['cert', 'inspect', cert(), '--ca', ca(), ...args, '--json']);
    expect(run.status).toBe(2);
    expect(run.json).toMatchObject({ error: { code } });
  });

  it('exits 2 for a deny list that is not the expected JSON, and when CERT is missing', () => {
    const deny = scratch.write('bad-deny.json', '["not", "an", "object"]');
    const badDeny = jitr(['cert', 'inspect', cert(), '--ca', ca(), '--deny', deny, '--json']);
    const noCert = jitr(['cert', 'inspect', '--ca', ca()]);

    expect(badDeny.status).toBe(2);
    expect(badDeny.json).toMatchObject({ error: { code: 'INVALID_DENY_LIST' } });
    expect(noCert.status).toBe(2);
    expect(noCert.stderr).toMatch(/expected 1 argument/);
  });
});
