import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, opensslText, opensslVerify, scratchDir } from '../../helpers/openssl.js';
import { hasStackTrace, jitr } from './run-cli.js';

const scratch = scratchDir('jitr-cli-device-');
afterAll(() => scratch.cleanup());
const caDir = (profile: string) => join(scratch.dir, `ca-${profile}`);

beforeAll(() => {
  for (const profile of ['azure-sphere', 'microchip', 'generic']) {
    const run = jitr(['ca', 'create', '--profile', profile, '--out', caDir(profile)]);
    if (run.status !== 0) throw new Error(run.stderr);
  }
});

describe('jitr device issue', () => {
  it('issues an azure-sphere device: key, certificate and a chain of device + CA that openssl verifies', () => {
    const out = join(scratch.dir, 'az-device');

    const run = jitr([
      'device',
      'issue',
      '--ca',
      caDir('azure-sphere'),
      '--profile',
      'azure-sphere',
      '--out',
      out,
      '--json',
    ]);

    expect(run.status).toBe(0);
    const data = run.json as { deviceId: string; thingName: string };
    expect(data.deviceId).toMatch(/^[0-9A-F]{128}$/);
    expect(data.thingName).toBe(data.deviceId.toLowerCase());
    const chain = readFileSync(join(out, 'device.chain.pem'), 'utf8');
    expect(chain).toBe(
      readFileSync(join(out, 'device.cert.pem'), 'utf8') +
        readFileSync(join(caDir('azure-sphere'), 'ca.cert.pem'), 'utf8'),
    );
    expect(existsSync(join(out, 'device.key.pem'))).toBe(true);
    // The tenant CA is issued by a policy CA that is not written out: it is trusted on its own, as AWS IoT trusts it.
    expect(
      opensslVerify({
        caFile: join(caDir('azure-sphere'), 'ca.cert.pem'),
        certificate: join(out, 'device.cert.pem'),
        partialChain: true,
      }).ok,
    ).toBe(true);
  });

  it('issues a microchip device whose thing name is its SKI, verifiable up to the root through the signer', () => {
    const out = join(scratch.dir, 'mc-device');

    const run = jitr(['device', 'issue', '--ca', caDir('microchip'), '--profile', 'microchip', '--out', out, '--json']);

    expect(run.status).toBe(0);
    const text = opensslText(join(out, 'device.cert.pem'));
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(text)?.[1]?.replaceAll(':', '').toLowerCase();
    expect(run.json).toMatchObject({ profile: 'microchip', thingName: ski });
    expect(text).toMatch(/Subject: O = Microchip Technology Inc, CN = sn[0-9A-F]{18}/);
    expect(
      opensslVerify({
        caFile: join(caDir('microchip'), 'root.cert.pem'),
        untrusted: join(out, 'device.chain.pem'),
        certificate: join(out, 'device.cert.pem'),
      }).ok,
    ).toBe(true);
  });

  it('issues for an openssl CSR with the requested id, dates and no private key file', () => {
    const out = join(scratch.dir, 'csr-device');
    const key = scratch.write(
      'device.key',
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']),
    );
    const csr = scratch.write('device.csr', openssl(['req', '-new', '-key', key, '-subj', '/CN=whatever']));

    const run = jitr([
      'device',
      'issue',
      '--ca',
      caDir('generic'),
      '--profile',
      'generic',
      '--out',
      out,
      '--device-id',
      'Sensor-0042',
      '--days',
      '10',
      '--not-before',
      '2026-02-01T00:00:00Z',
      '--csr',
      csr,
      '--json',
    ]);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ deviceId: 'Sensor-0042', thingName: 'sensor-0042' });
    expect(existsSync(join(out, 'device.key.pem'))).toBe(false);
    const text = opensslText(join(out, 'device.cert.pem'));
    expect(text).toMatch(/Not Before: Feb {2}1 00:00:00 2026 GMT/);
    expect(text).toMatch(/Not After : Feb 11 00:00:00 2026 GMT/);
    expect(text).toMatch(/Subject: CN = Sensor-0042/);
    expect(openssl(['x509', '-in', join(out, 'device.cert.pem'), '-noout', '-pubkey'])).toBe(
      openssl(['pkey', '-in', key, '-pubout']),
    );
  });

  it.each([
    [['--out', 'x'], 'USAGE', /--profile is required/],
    [['--profile', 'generic', '--out', 'x', '--not-before', 'yesterday'], 'USAGE', /ISO-8601/],
    [['--profile', 'generic', '--out', 'x', '--csr', '/nonexistent.csr'], 'FILE_UNREADABLE', /does not exist/],
  ])('exits 2 for %j', (args, code, message) => {
    const run = jitr(['device', 'issue', '--ca', caDir('generic'), ...args, '--json']);
    expect(run.status).toBe(2);
    expect(run.json).toMatchObject({ error: { code } });
    expect(run.stderr).toMatch(message);
  });

  it('exits 2 with INVALID_CSR for a file that is not a CSR, without a stack trace', () => {
    const notCsr = scratch.write('not.csr', 'hello\n');
    const run = jitr([
      'device',
      'issue',
      '--ca',
      caDir('generic'),
      '--profile',
      'generic',
      '--out',
      join(scratch.dir, 'x'),
      '--csr',
      notCsr,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/INVALID_CSR/);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
