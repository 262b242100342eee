import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateDeviceCertificate } from '../../../certs/validate.js';
import { opensslNotBefore, scratchDir } from '../../helpers/openssl.js';
import {
  CA_EXTENSIONS,
  DEVICE_EXTENSIONS,
  type OpensslCertificate,
  OpensslPathFactory,
} from '../../helpers/openssl-paths.js';

// Why jitr does its own RFC 5280 path processing instead of pkijs's CertificateChainValidationEngine: this pins what
// that engine (pkijs 3.x) does with the issue-12 cases. If an upgrade makes one of these fail, pkijs changed and
// docs/certificate-validation.md deserves another look.
const scratch = scratchDir('jitr-pkijs-');
afterAll(() => scratch.cleanup());
const make = new OpensslPathFactory(scratch);
const engine = new pkijs.CryptoEngine({
  crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
  name: 'node',
});
let root: OpensslCertificate;
let rsaRoot: OpensslCertificate;
let leafKey: string;
let at: Date;

const der = (certificate: OpensslCertificate) =>
  Buffer.from(readFileSync(certificate.path, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
const pkijsCertificate = (certificate: OpensslCertificate) => pkijs.Certificate.fromBER(der(certificate));

async function pkijsVerdict(anchor: OpensslCertificate, certs: OpensslCertificate[]): Promise<boolean> {
  pkijs.setEngine('node', engine);
  const chain = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [pkijsCertificate(anchor)],
    certs: certs.map(pkijsCertificate),
    checkDate: at,
  });
  return (await chain.verify()).result;
}

function jitrVerdict(anchor: OpensslCertificate, leaf: OpensslCertificate, intermediates: OpensslCertificate[] = []) {
  return validateDeviceCertificate({
    certificate: readFileSync(leaf.path, 'utf8'),
    issuer: readFileSync(anchor.path, 'utf8'),
    intermediates: intermediates.map((c) => readFileSync(c.path, 'utf8')),
    profile: { profile: 'generic' },
    at,
  }).reasons.map((r) => r.code);
}

beforeAll(() => {
  root = make.certificate('root', { subject: '/CN=Root', key: make.key('root'), extensions: CA_EXTENSIONS });
  rsaRoot = make.certificate('rsa-root', {
    subject: '/CN=RSA Root',
    key: make.key('rsa-root', 'RSA-2048'),
    extensions: CA_EXTENSIONS,
  });
  leafKey = make.key('leaf');
  at = new Date(opensslNotBefore(root.path).getTime() + 3_600_000);
});

describe("pkijs's CertificateChainValidationEngine, checked against RFC 5280 before trusting it", () => {
  it('accepts a device signed with SHA-1, an unknown critical extension and keyCertSign on a device; jitr refuses them', async () => {
    const sha1 = make.certificate('sha1', {
      subject: '/CN=sha1',
      key: leafKey,
      issuer: root,
      extensions: DEVICE_EXTENSIONS,
      digest: 'sha1',
    });
    const critical = make.certificate('critical', {
      subject: '/CN=critical',
      key: leafKey,
      issuer: root,
      extensions: [...DEVICE_EXTENSIONS, '1.3.6.1.4.1.55555.1 = critical,ASN1:NULL'],
    });
    const certSign = make.certificate('certsign', {
      subject: '/CN=certsign',
      key: leafKey,
      issuer: root,
      extensions: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,keyCertSign,cRLSign'],
    });

    expect(await pkijsVerdict(root, [sha1])).toBe(true);
    expect(await pkijsVerdict(root, [critical])).toBe(true);
    expect(await pkijsVerdict(root, [certSign])).toBe(true);
    expect(jitrVerdict(root, sha1)).toEqual(['WEAK_SIGNATURE']);
    expect(jitrVerdict(root, critical)).toEqual(['UNHANDLED_CRITICAL_EXTENSION']);
    expect(jitrVerdict(root, certSign)).toContain('KEY_USAGE_INVALID');
  });

  it('refuses MD5 only because WebCrypto cannot verify it', async () => {
    const md5 = make.certificate('md5', {
      subject: '/CN=md5',
      key: leafKey,
      issuer: rsaRoot,
      extensions: DEVICE_EXTENSIONS,
      digest: 'md5',
    });

    expect(await pkijsVerdict(rsaRoot, [md5])).toBe(false);
    expect(jitrVerdict(rsaRoot, md5)).toEqual(['WEAK_SIGNATURE']);
  });

  it("ignores the trusted CA's name constraints", async () => {
    const constrained = make.certificate('constrained', {
      subject: '/O=Acme/CN=Constrained',
      key: make.key('constrained'),
      extensions: [...CA_EXTENSIONS, 'nameConstraints = critical,permitted;dirName:acme'],
      sections: '[acme]\nO = Acme\n',
    });
    const outside = make.certificate('outside', {
      subject: '/O=Other/CN=outside',
      key: leafKey,
      issuer: constrained,
      extensions: DEVICE_EXTENSIONS,
    });

    expect(await pkijsVerdict(constrained, [outside])).toBe(true);
    expect(jitrVerdict(constrained, outside)).toEqual(['NAME_CONSTRAINTS_VIOLATED']);
  });

  it('validates the path of the last certificate it is given: device first, the device is never checked', async () => {
    const intermediate = make.certificate('int', {
      subject: '/O=Acme/CN=Intermediate',
      key: make.key('int'),
      issuer: root,
      extensions: [...CA_EXTENSIONS, 'nameConstraints = critical,permitted;dirName:acme'],
      sections: '[acme]\nO = Acme\n',
    });
    const outside = make.certificate('below', {
      subject: '/O=Other/CN=below',
      key: leafKey,
      issuer: intermediate,
      extensions: DEVICE_EXTENSIONS,
    });

    expect(await pkijsVerdict(root, [outside, intermediate])).toBe(true);
    expect(await pkijsVerdict(root, [intermediate, outside])).toBe(false);
    expect(jitrVerdict(root, outside, [intermediate])).toEqual(['NAME_CONSTRAINTS_VIOLATED']);
  });
});
