import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../helpers/openssl.js';
import { hasStackTrace, jitr } from './run-cli.js';

const scratch = scratchDir('jitr-cli-crl-');
afterAll(() => scratch.cleanup());
const caDir = join(scratch.dir, 'factory');
const deviceDir = join(scratch.dir, 'device');

function opensslCrlText(path: string, caPath: string): { verified: boolean; text: string } {
  const run = spawnSync('openssl', ['crl', '-in', path, '-CAfile', caPath, '-verify', '-noout', '-text'], {
    encoding: 'utf8',
  });
  return { verified: run.status === 0 && /verify OK/.test(run.stderr), text: run.stdout };
}

beforeAll(() => {
  expect(jitr(['ca', 'create', '--profile', 'generic', '--out', caDir, '--name', 'Factory CRL']).status).toBe(0);
  const issued = jitr([
    'device',
    'issue',
    '--ca',
    caDir,
    '--profile',
    'generic',
    '--device-id',
    'dev-1',
    '--out',
    deviceDir,
    '--json',
  ]);
  expect(issued.status).toBe(0);
});

describe('jitr ca revoke and jitr ca crl', () => {
  it('revokes a device certificate by file and publishes a CRL that openssl verifies with the CA', () => {
    const certificate = join(deviceDir, 'device.cert.pem');
    const serial = spawnSync('openssl', ['x509', '-in', certificate, '-noout', '-serial'], { encoding: 'utf8' })
      .stdout.trim()
      .split('=')[1]!;

    const revoked = jitr(['ca', 'revoke', '--ca', caDir, '--cert', certificate, '--reason', 'keyCompromise', '--json']);
    const bySerial = jitr(['ca', 'revoke', '--ca', caDir, '--serial', '0x0102', '--json']);
    const published = jitr(['ca', 'crl', '--ca', caDir, '--next-update', '48', '--json']);

    expect(revoked.status).toBe(0);
    expect(revoked.json).toMatchObject({ added: true, reason: 'keyCompromise' });
    expect(bySerial.json).toMatchObject({ serialNumber: '102', added: true, reason: 'unspecified' });
    expect(published.status).toBe(0);
    const data = published.json as {
      file: string;
      crlNumber: string;
      revoked: number;
      thisUpdate: string;
      nextUpdate: string;
    };
    expect(data).toMatchObject({ crlNumber: '1', revoked: 2 });
    expect(Date.parse(data.nextUpdate) - Date.parse(data.thisUpdate)).toBe(48 * 3_600_000);
    const openssl = opensslCrlText(data.file, join(caDir, 'ca.cert.pem'));
    expect(openssl.verified).toBe(true);
    expect(openssl.text).toContain(`Serial Number: ${serial.replace(/^(00)+/, '')}`);
    expect(openssl.text).toMatch(/Key Compromise/);
    expect(openssl.text).toMatch(/Serial Number: 0102/);
  });

  it('numbers each CRL one higher than the last and writes DER on request', () => {
    const out = join(scratch.dir, 'next.crl');

    const run = jitr(['ca', 'crl', '--ca', caDir, '--der', '--out', out, '--json']);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ crlNumber: '2' });
    expect(readFileSync(out)[0]).toBe(0x30);
  });

  it('says so when a serial number is revoked twice, and keeps the first reason', () => {
    const run = jitr(['ca', 'revoke', '--ca', caDir, '--serial', '01:02', '--reason', 'superseded', '--json']);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ added: false, reason: 'unspecified' });
  });

  it('refuses a certificate another CA issued, and bad flags, with exit 2 and no stack trace', () => {
    const otherDir = join(scratch.dir, 'other');
    expect(jitr(['ca', 'create', '--profile', 'generic', '--out', otherDir]).status).toBe(0);

    const foreign = jitr(['ca', 'revoke', '--ca', otherDir, '--cert', join(deviceDir, 'device.cert.pem')]);
    const both = jitr(['ca', 'revoke', '--ca', caDir, '--serial', '01', '--cert', 'x.pem']);
    const reason = jitr(['ca', 'revoke', '--ca', caDir, '--serial', '01', '--reason', 'bored']);

    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toMatch(/NOT_ISSUED_BY_CA|not issued by this CA/);
    expect(both.status).toBe(2);
    expect(reason.status).toBe(2);
    expect(reason.stderr).toMatch(/keyCompromise/);
    for (const run of [foreign, both, reason]) expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it('jitr cert inspect --crl shows the verdict offline: revoked, good, or a CRL it cannot trust', () => {
    const crl = join(caDir, 'ca.crl.pem');
    const goodDir = join(scratch.dir, 'device-2');
    const issued = jitr(['device', 'issue', '--ca', caDir, '--profile', 'generic', '--out', goodDir]);
    expect(issued.status).toBe(0);
    expect(jitr(['ca', 'crl', '--ca', caDir]).status).toBe(0);
    const inspect = (certificate: string, ...extra: string[]) =>
      jitr(['cert', 'inspect', certificate, '--ca', join(caDir, 'ca.cert.pem'), '--crl', crl, ...extra, '--json']);

    const revoked = inspect(join(deviceDir, 'device.cert.pem'));
    const good = inspect(join(goodDir, 'device.cert.pem'));
    const stale = inspect(
      join(goodDir, 'device.cert.pem'),
      '--at',
      new Date(Date.now() + 72 * 3_600_000).toISOString(),
    );

    expect(revoked.status).toBe(3);
    expect(revoked.json).toMatchObject({
      verdict: 'reject',
      reasons: [{ code: 'CERTIFICATE_REVOKED_BY_CA' }],
      crl: { status: 'revoked', reason: 'keyCompromise' },
    });
    expect(good.status).toBe(0);
    expect(good.json).toMatchObject({ verdict: 'accept', crl: { status: 'good' } });
    expect(stale.status).toBe(3);
    expect((stale.json as { reasons: { code: string }[] }).reasons.map((r) => r.code)).toContain('CRL_STALE');
  });
});
