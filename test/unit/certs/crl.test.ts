import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crlDistributionPoints, lookupSerial, parseCrl, type RevocationList, verifyCrl } from '../../../certs/crl.js';
import { issueCrl } from '../../../certs/crl-issue.js';
import { createRootCa, type IssuedCa } from '../../../certs/issue.js';
import { parseCertificate } from '../../../certs/parse.js';
import { openssl, scratchDir } from '../../helpers/openssl.js';

/** `openssl crl -verify`: its verdict goes to stderr, and a failure exits non-zero. */
function opensslCrlVerify(crlPath: string, caPath: string): { ok: boolean; output: string } {
  const run = spawnSync('openssl', ['crl', '-in', crlPath, '-CAfile', caPath, '-verify', '-noout'], {
    encoding: 'utf8',
  });
  return { ok: run.status === 0 && /verify OK/.test(run.stderr), output: `${run.stdout}${run.stderr}` };
}

const scratch = scratchDir('jitr-crl-');
afterAll(() => scratch.cleanup());

// Crypto tests use an explicit check date, never the wall clock.
const THIS_UPDATE = new Date('2026-03-01T00:00:00Z');
const NEXT_UPDATE = new Date('2026-03-02T00:00:00Z');
const AT = new Date('2026-03-01T12:00:00Z');

let ca: IssuedCa;
let impostor: IssuedCa;
const caDer = () => parseCertificate(ca.certificatePem).der;

function sign(signer: IssuedCa, opts: Partial<Parameters<typeof issueCrl>[1]> = {}) {
  return issueCrl(signer, {
    entries: [
      { serialNumber: '7f01', revokedAt: THIS_UPDATE, reason: 'keyCompromise' },
      { serialNumber: 'A0:00:01', revokedAt: THIS_UPDATE, reason: 'superseded' },
      { serialNumber: '0x0c', revokedAt: THIS_UPDATE },
    ],
    thisUpdate: THIS_UPDATE,
    nextUpdate: NEXT_UPDATE,
    crlNumber: 7n,
    ...opts,
  });
}

beforeAll(async () => {
  ca = await createRootCa({
    commonName: 'CRL Test CA',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    keyAlgorithm: 'P-384',
  });
  // Same name, another key: what a forger without the CA's key can make.
  impostor = await createRootCa({ commonName: 'CRL Test CA', notBefore: new Date('2026-01-01T00:00:00Z') });
});

describe('issueCrl', () => {
  it('signs a CRL that openssl reads and verifies with the CA certificate, entries and reasons as listed', async () => {
    const crl = await sign(ca);
    const crlPath = scratch.write('ours.crl.pem', crl.pem);
    const caPath = scratch.write('ca.pem', ca.certificatePem);

    const verified = opensslCrlVerify(crlPath, caPath);
    const text = openssl(['crl', '-in', crlPath, '-noout', '-text']);

    expect(verified.ok).toBe(true);
    expect(text).toMatch(/Version 2/);
    expect(text).toMatch(/ecdsa-with-SHA384/);
    expect(text).toMatch(/X509v3 CRL Number: \s*7/);
    expect(text).toMatch(/Authority Key Identifier/);
    expect(text).toMatch(/Serial Number: 7F01[\s\S]*?Key Compromise/);
    expect(text).toMatch(/Serial Number: A00001[\s\S]*?Superseded/);
    expect(text).toMatch(/Serial Number: 0C\s+Revocation Date: Mar {2}1 00:00:00 2026 GMT\s+Signature Algorithm/);
  });

  it('leaves out revokedCertificates when nothing is revoked (RFC 5280 5.1.2.6)', async () => {
    const crl = await sign(ca, { entries: [] });

    const text = openssl(['crl', '-inform', 'DER', '-noout', '-text', '-in', scratch.write('empty.crl', crl.der)]);

    expect(text).toMatch(/No Revoked Certificates/);
    expect(parseCrl(crl.der).entries.size).toBe(0);
  });
});

describe('parseCrl and lookupSerial', () => {
  it('reads the entries, reason codes, cRLNumber and times of a CRL that openssl ca made', () => {
    const caKey = scratch.write('ossl-ca.key', ca.privateKeyPem);
    const caCert = scratch.write('ossl-ca.pem', ca.certificatePem);
    scratch.write('index.txt', 'R\t300101000000Z\t260301000000Z,keyCompromise\t0A1B2C\tunknown\t/CN=device-1\n');
    scratch.write('crlnumber', '1F\n');
    const config = scratch.write(
      'ca.cnf',
      [
        '[ca]',
        'default_ca = jitr',
        '[jitr]',
        `database = ${scratch.dir}/index.txt`,
        `crlnumber = ${scratch.dir}/crlnumber`,
        'default_md = sha256',
        'crl_extensions = crl_ext',
        '[crl_ext]',
        'authorityKeyIdentifier = keyid:always',
      ].join('\n'),
    );
    const out = `${scratch.dir}/openssl.crl.pem`;
    openssl([
      'ca',
      '-gencrl',
      '-config',
      config,
      '-keyfile',
      caKey,
      '-cert',
      caCert,
      '-out',
      out,
      '-crl_lastupdate',
      '260301000000Z',
      '-crl_nextupdate',
      '260302000000Z',
    ]);

    const crl = parseCrl(readFileSync(out, 'utf8'));

    expect(crl.crlNumber).toBe('1f');
    expect(crl.thisUpdate).toEqual(THIS_UPDATE);
    expect(crl.nextUpdate).toEqual(NEXT_UPDATE);
    expect(lookupSerial(crl, '0a1b2c')).toMatchObject({
      reason: 'keyCompromise',
      reasonCode: 1,
      revokedAt: THIS_UPDATE,
    });
    expect(lookupSerial(crl, '0a1b2d')).toBeUndefined();
  });

  it('finds a serial number however it is spelt, and reports entries without a reason as unspecified', async () => {
    const crl = parseCrl((await sign(ca)).pem);

    expect(lookupSerial(crl, 'a00001')?.reason).toBe('superseded');
    expect(lookupSerial(crl, '00A0:00:01')?.reason).toBe('superseded');
    expect(lookupSerial(crl, 'c')).toMatchObject({ reason: 'unspecified', reasonCode: 0 });
  });

  it('accepts DER, PEM and base64 of the DER (how an SSM parameter holds a CRL)', async () => {
    const crl = await sign(ca);

    for (const form of [crl.der, crl.pem, Buffer.from(crl.der).toString('base64')]) {
      expect(parseCrl(form).crlNumber).toBe('7');
    }
  });

  it('refuses bytes that are not a CRL with CRL_MALFORMED', () => {
    expect(() => parseCrl('not a crl!')).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
    expect(() => parseCrl(ca.certificatePem)).toThrow(expect.objectContaining({ code: 'CRL_MALFORMED' }));
    expect(() => parseCrl(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(
      expect.objectContaining({ code: 'CRL_MALFORMED' }),
    );
  });
});

describe('verifyCrl', () => {
  it('trusts a CRL the CA signed, between thisUpdate and nextUpdate', async () => {
    const crl = parseCrl((await sign(ca)).der);

    expect(verifyCrl(crl, caDer(), AT)).toEqual({ trusted: true });
    expect(verifyCrl(crl, caDer(), THIS_UPDATE)).toEqual({ trusted: true });
  });

  it('does not trust a CRL with the CA name signed by another key, and openssl agrees', async () => {
    const forged = await sign(impostor);

    const check = verifyCrl(parseCrl(forged.der), caDer(), AT);
    const ossl = opensslCrlVerify(scratch.write('forged.pem', forged.pem), scratch.write('ca2.pem', ca.certificatePem));

    expect(check).toMatchObject({ trusted: false, code: 'CRL_SIGNATURE_INVALID' });
    expect(ossl.ok).toBe(false);
    expect(ossl.output).toMatch(/verify fail/);
  });

  it('does not trust an expired CRL (at or after nextUpdate) nor one from the future', async () => {
    const crl = parseCrl((await sign(ca)).der);

    expect(verifyCrl(crl, caDer(), NEXT_UPDATE)).toMatchObject({ trusted: false, code: 'CRL_STALE' });
    expect(verifyCrl(crl, caDer(), new Date('2026-02-28T23:59:59Z'))).toMatchObject({
      trusted: false,
      code: 'CRL_NOT_YET_VALID',
    });
  });

  it('does not trust a CRL issued under another name', async () => {
    const other = await createRootCa({ commonName: 'Another CA', notBefore: new Date('2026-01-01T00:00:00Z') });
    const crl = parseCrl((await sign(other)).der);

    expect(verifyCrl(crl, caDer(), AT)).toMatchObject({ trusted: false, code: 'CRL_ISSUER_MISMATCH' });
  });

  it('does not trust a CRL signed with SHA-1, even by the right key', () => {
    const caKey = scratch.write('sha1-ca.key', ca.privateKeyPem);
    const caCert = scratch.write('sha1-ca.pem', ca.certificatePem);
    scratch.write('sha1-index.txt', '');
    const config = scratch.write(
      'sha1.cnf',
      ['[ca]', 'default_ca = jitr', '[jitr]', `database = ${scratch.dir}/sha1-index.txt`, 'default_md = sha1'].join(
        '\n',
      ),
    );
    const out = `${scratch.dir}/sha1.crl.pem`;
    openssl([
      'ca',
      '-gencrl',
      '-config',
      config,
      '-keyfile',
      caKey,
      '-cert',
      caCert,
      '-out',
      out,
      '-crl_lastupdate',
      '260301000000Z',
      '-crl_nextupdate',
      '260302000000Z',
    ]);

    expect(verifyCrl(parseCrl(readFileSync(out, 'utf8')), caDer(), AT)).toMatchObject({
      trusted: false,
      code: 'CRL_WEAK_SIGNATURE',
    });
  });
});

describe('crlDistributionPoints', () => {
  it('reads the URIs of a certificate made by openssl with a crlDistributionPoints extension', () => {
    const key = scratch.write('dp.key', ca.privateKeyPem);
    const ext = scratch.write('dp.ext', 'crlDistributionPoints = URI:http://crl.example.test/ca.crl,URI:ldap://x/y\n');
    const csr = openssl(['req', '-new', '-key', key, '-subj', '/CN=dp-device']);
    const cert = openssl(
      [
        'x509',
        '-req',
        '-CA',
        scratch.write('dp-ca.pem', ca.certificatePem),
        '-CAkey',
        key,
        '-set_serial',
        '5',
        '-days',
        '1',
        '-extfile',
        ext,
      ],
      csr,
    );

    expect(crlDistributionPoints(parseCertificate(cert).der)).toEqual(['http://crl.example.test/ca.crl']);
  });
});

/** pkijs's reading of the same bytes: serial -> reason code, and the cRLNumber (pkijs is the independent X.509 library). */
function pkijsView(der: Uint8Array) {
  const crl = pkijs.CertificateRevocationList.fromBER(der);
  const entries = (crl.revokedCertificates ?? []).map((revoked) => {
    const reason = revoked.crlEntryExtensions?.extensions.find((e) => e.extnID === '2.5.29.21');
    const code = reason ? reason.extnValue.valueBlock.valueHexView[2] : 0;
    const serial = Buffer.from(revoked.userCertificate.valueBlock.valueHexView)
      .toString('hex')
      .replace(/^0+(?=.)/, '');
    return [serial, code, revoked.revocationDate.value.getTime()] as const;
  });
  return { entries, thisUpdate: crl.thisUpdate.value.getTime(), nextUpdate: crl.nextUpdate?.value.getTime() };
}

function ourView(crl: RevocationList) {
  return {
    entries: [...crl.entries.values()].map(
      (entry) => [entry.serialNumber, entry.reasonCode, entry.revokedAt.getTime()] as const,
    ),
    thisUpdate: crl.thisUpdate.getTime(),
    nextUpdate: crl.nextUpdate?.getTime(),
  };
}

describe('the CRL reader agrees with pkijs', () => {
  it('reads the same entries, reasons and times as pkijs, for our CRLs and for one openssl made', async () => {
    const ours = await sign(ca);
    const made = readFileSync(`${scratch.dir}/openssl.crl.pem`, 'utf8');

    for (const der of [ours.der, parseCrl(made).der]) {
      expect(ourView(parseCrl(der))).toEqual(pkijsView(der));
    }
  });

  it('accepts and refuses signatures as pkijs does', async () => {
    const issuer = pkijs.Certificate.fromBER(caDer());
    for (const signer of [ca, impostor]) {
      const crl = await sign(signer);
      const byPkijs = await pkijs.CertificateRevocationList.fromBER(crl.der).verify({ issuerCertificate: issuer });

      expect(verifyCrl(parseCrl(crl.der), caDer(), AT).trusted).toBe(byPkijs);
    }
  });
});
