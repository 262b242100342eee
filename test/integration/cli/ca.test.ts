import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { opensslFingerprint, opensslText, opensslVerify, scratchDir } from '../../helpers/openssl.js';
import { hasStackTrace, jitr } from './run-cli.js';

const scratch = scratchDir('jitr-cli-ca-');
afterAll(() => scratch.cleanup());

describe('jitr ca create', () => {
  it('writes a generic root CA and its owner-only key, and reports its certificateId', () => {
    const out = join(scratch.dir, 'generic');

    const run = jitr([
      'ca',
      'create',
      '--profile',
      'generic',
      '--out',
      out,
      '--name',
      'Factory 7',
      '--days',
      '30',
      '--json',
    ]);

    expect(run.status).toBe(0);
    const data = run.json as { certificateId: string; subject: string; files: Record<string, string> };
    expect(data.subject).toBe('CN=Factory 7');
    expect(data.certificateId).toBe(opensslFingerprint(join(out, 'ca.cert.pem')));
    expect(Object.keys(data.files).sort()).toEqual(['ca.cert.pem', 'ca.key.pem']);
    expect(statSync(join(out, 'ca.key.pem')).mode & 0o077).toBe(0);
    expect(opensslText(join(out, 'ca.cert.pem'))).toMatch(/CA:TRUE/);
  });

  it('writes a microchip root and a path-length-0 signer that chains to it', () => {
    const out = join(scratch.dir, 'microchip');

    const run = jitr(['ca', 'create', '--profile', 'microchip', '--out', out]);

    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Created microchip CA/);
    expect(opensslText(join(out, 'ca.cert.pem'))).toMatch(/CA:TRUE, pathlen:0/);
    expect(opensslVerify({ caFile: join(out, 'root.cert.pem'), certificate: join(out, 'ca.cert.pem') }).ok).toBe(true);
    expect(statSync(join(out, 'root.key.pem')).mode & 0o077).toBe(0);
  });

  it('makes an azure-sphere tenant CA P-384 by default and P-256 with --key-algorithm, for that profile only', () => {
    const p384 = join(scratch.dir, 'azure-384');
    const p256 = join(scratch.dir, 'azure-256');

    const defaults = jitr(['ca', 'create', '--profile', 'azure-sphere', '--out', p384]);
    const chosen = jitr(['ca', 'create', '--profile', 'azure-sphere', '--key-algorithm', 'P-256', '--out', p256]);
    const misplaced = jitr([
      'ca',
      'create',
      '--profile',
      'generic',
      '--key-algorithm',
      'P-256',
      '--out',
      join(scratch.dir, 'x'),
    ]);

    expect([defaults.status, chosen.status, misplaced.status]).toEqual([0, 0, 2]);
    expect(opensslText(join(p384, 'ca.cert.pem'))).toMatch(/secp384r1[\s\S]*ecdsa-with-SHA384/);
    expect(opensslText(join(p256, 'ca.cert.pem'))).toMatch(/prime256v1/);
    expect(opensslText(join(p384, 'ca.cert.pem'))).not.toMatch(/Key Identifier/);
    expect(misplaced.stderr).toMatch(/--key-algorithm applies to --profile azure-sphere only/);
  });

  it('names an azure-sphere CA after the tenant', () => {
    const out = join(scratch.dir, 'azure');
    const tenant = '6f1bf6c2-8c5e-4c4c-9a39-2f9d3c1b8e10';

    const run = jitr(['ca', 'create', '--profile', 'azure-sphere', '--tenant-id', tenant, '--out', out, '--json']);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ tenantId: tenant, subject: `CN=Microsoft Azure Sphere ${tenant}` });
  });

  it('never overwrites an existing CA key', () => {
    const out = join(scratch.dir, 'twice');
    expect(jitr(['ca', 'create', '--profile', 'generic', '--out', out]).status).toBe(0);

    const again = jitr(['ca', 'create', '--profile', 'generic', '--out', out, '--json']);

    expect(again.status).toBe(2);
    expect(again.json).toMatchObject({ error: { code: 'FILE_EXISTS' } });
  });

  it.each([
    [['--out', 'x'], /--profile is required/],
    [['--profile', 'nope', '--out', 'x'], /--profile must be one of/],
    [['--profile', 'generic'], /--out is required/],
    [
      ['--profile', 'generic', '--out', 'x', '--tenant-id', '6f1bf6c2-8c5e-4c4c-9a39-2f9d3c1b8e10'],
      /azure-sphere only/,
    ],
    [['--profile', 'azure-sphere', '--out', 'x', '--tenant-id', 'tenant-1'], /must be a GUID/],
    [['--profile', 'generic', '--out', 'x', '--days', 'ten'], /whole number/],
    [['--profile', 'generic', '--out', 'x', '--bogus'], /unknown flag --bogus/],
  ])('exits 2 with a usage message for %j', (args, message) => {
    const run = jitr(['ca', 'create', ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});

describe('jitr ca verification-cert', () => {
  it('writes a certificate whose subject CN is the code, signed by the CA key', () => {
    const ca = join(scratch.dir, 'verify-ca');
    jitr(['ca', 'create', '--profile', 'generic', '--out', ca]);
    const out = join(scratch.dir, 'verification', 'verification.pem');

    const run = jitr(['ca', 'verification-cert', '--ca', ca, '--code', 'c0ffee12345', '--out', out, '--json']);

    expect(run.status).toBe(0);
    expect(run.json).toMatchObject({ subject: 'CN=c0ffee12345', file: out });
    expect(opensslText(out)).toMatch(/Subject: CN = c0ffee12345/);
    expect(opensslVerify({ caFile: join(ca, 'ca.cert.pem'), certificate: out }).ok).toBe(true);
  });

  it('exits 2 when the CA directory is missing or its key belongs to another CA', () => {
    const one = join(scratch.dir, 'mismatch-1');
    const two = join(scratch.dir, 'mismatch-2');
    jitr(['ca', 'create', '--profile', 'generic', '--out', one]);
    jitr(['ca', 'create', '--profile', 'generic', '--out', two]);
    scratch.write('mismatch-1/ca.key.pem', readFileSync(join(two, 'ca.key.pem'), 'utf8'));

    const missing = jitr([
      'ca',
      'verification-cert',
      '--ca',
      join(scratch.dir, 'nowhere'),
      '--code',
      'x',
      '--out',
      'x.pem',
      '--json',
    ]);
    const mismatched = jitr([
      'ca',
      'verification-cert',
      '--ca',
      one,
      '--code',
      'x',
      '--out',
      join(scratch.dir, 'v.pem'),
      '--json',
    ]);
    const blank = jitr(['ca', 'verification-cert', '--ca', one, '--code', '  ', '--out', join(scratch.dir, 'v.pem')]);

    expect(missing.status).toBe(2);
    expect(missing.json).toMatchObject({ error: { code: 'FILE_UNREADABLE' } });
    expect(mismatched.status).toBe(2);
    expect(mismatched.json).toMatchObject({ error: { code: 'CA_KEY_MISMATCH' } });
    expect(blank.status).toBe(2);
  });
});
