import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReasonCode } from '../../../certs/reasons.js';
import { validateDeviceCertificate } from '../../../certs/validate.js';
import { opensslNotBefore, scratchDir } from '../../helpers/openssl.js';
import {
  CA_EXTENSIONS,
  type CertificateSpec,
  DEVICE_EXTENSIONS,
  type OpensslCertificate,
  OpensslPathFactory,
  opensslVerdict,
} from '../../helpers/openssl-paths.js';

// RFC 5280 section 6 cases, every certificate made by the openssl command line: `openssl verify` (strict, TLS client
// purpose, security level 2, policy checking, a fixed -attime) and jitr must agree on each, accepts and refusals.
const scratch = scratchDir('jitr-path-table-');
afterAll(() => scratch.cleanup());
const make = new OpensslPathFactory(scratch);
const read = (path: string) => readFileSync(path, 'utf8');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let keys: { root: string; int: string; leaf: string; rsaRoot: string; rsa1024: string; p384: string };
let root: OpensslCertificate;
let rsaRoot: OpensslCertificate;
let at: Date;

const ca = (name: string, issuer: OpensslCertificate, extra: string[] = [], spec: Partial<CertificateSpec> = {}) =>
  make.certificate(name, {
    subject: `/O=Table/CN=${name}`,
    key: keys.int,
    issuer,
    extensions: [...CA_EXTENSIONS, ...extra],
    ...spec,
  });
const device = (name: string, issuer: OpensslCertificate, extra: string[] = [], spec: Partial<CertificateSpec> = {}) =>
  make.certificate(name, {
    subject: `/O=Table/CN=${name}`,
    key: keys.leaf,
    issuer,
    extensions: [...DEVICE_EXTENSIONS, ...extra],
    ...spec,
  });

interface Case {
  name: string;
  /** What jitr must answer: 'accept', or the one reason code it must give. */
  expect: 'accept' | ReasonCode;
  build(): {
    leaf: OpensslCertificate;
    anchor: OpensslCertificate;
    intermediates?: OpensslCertificate[];
    at?: Date;
    /** openssl's -x509_strict also demands SKI/AKI, which Azure Sphere tenant CAs do not carry. */
    strict?: boolean;
    partialChain?: boolean;
  };
}

const nc = (lines: string, sections = '') => ({ extra: [`nameConstraints = critical,${lines}`], sections });

const CASES: Case[] = [
  {
    name: 'EC P-256 device under the root',
    expect: 'accept',
    build: () => ({ leaf: device('good', root), anchor: root }),
  },
  {
    name: 'device through a path-length-0 intermediate',
    expect: 'accept',
    build: () => {
      const int = ca('int-pl0', root, ['basicConstraints = critical,CA:TRUE,pathlen:0']);
      return { leaf: device('via-pl0', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'device signed with ecdsa-with-SHA1',
    expect: 'WEAK_SIGNATURE',
    build: () => ({ leaf: device('sha1', root, [], { digest: 'sha1' }), anchor: root }),
  },
  {
    name: 'device signed with md5WithRSAEncryption',
    expect: 'WEAK_SIGNATURE',
    build: () => ({ leaf: device('md5', rsaRoot, [], { digest: 'md5' }), anchor: rsaRoot }),
  },
  {
    name: 'device signed with sha1WithRSAEncryption',
    expect: 'WEAK_SIGNATURE',
    build: () => ({ leaf: device('rsa-sha1', rsaRoot, [], { digest: 'sha1' }), anchor: rsaRoot }),
  },
  {
    name: 'device signed with ecdsa-with-SHA384',
    expect: 'accept',
    build: () => ({ leaf: device('sha384', root, [], { digest: 'sha384' }), anchor: root }),
  },
  {
    name: 'device signed with ecdsa-with-SHA512',
    expect: 'accept',
    build: () => ({ leaf: device('sha512', root, [], { digest: 'sha512' }), anchor: root }),
  },
  {
    name: 'device signed with sha256WithRSAEncryption by an RSA 2048 root',
    expect: 'accept',
    build: () => ({ leaf: device('rsa-sha256', rsaRoot), anchor: rsaRoot }),
  },
  {
    name: 'intermediate signed with SHA-1',
    expect: 'WEAK_SIGNATURE',
    build: () => {
      const int = ca('int-sha1', root, [], { digest: 'sha1' });
      return { leaf: device('below-sha1', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'device signed by an RSA 1024 intermediate',
    expect: 'WEAK_SIGNATURE',
    build: () => {
      const int = ca('int-rsa1024', root, [], { key: keys.rsa1024 });
      return { leaf: device('below-rsa1024', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'device with an unknown critical extension',
    expect: 'UNHANDLED_CRITICAL_EXTENSION',
    build: () => ({ leaf: device('crit', root, ['1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:x']), anchor: root }),
  },
  {
    name: 'device with an unknown non-critical extension',
    expect: 'accept',
    build: () => ({ leaf: device('noncrit', root, ['1.3.6.1.4.1.55555.1 = ASN1:UTF8String:x']), anchor: root }),
  },
  {
    name: 'intermediate with an unknown critical extension',
    expect: 'UNHANDLED_CRITICAL_EXTENSION',
    build: () => {
      const int = ca('int-crit', root, ['1.3.6.1.4.1.55555.2 = critical,ASN1:NULL']);
      return { leaf: device('below-crit', int), anchor: root, intermediates: [int] };
    },
  },
  ...nameConstraintCases(),
  {
    name: 'device keyUsage keyCertSign, cRLSign without digitalSignature',
    expect: 'KEY_USAGE_INVALID',
    build: () => {
      const leaf = make.certificate('ku-certsign', {
        subject: '/O=Table/CN=ku-certsign',
        key: keys.leaf,
        issuer: root,
        extensions: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,keyCertSign,cRLSign'],
      });
      return { leaf, anchor: root };
    },
  },
  {
    name: 'device keyUsage keyEncipherment only',
    expect: 'KEY_USAGE_INVALID',
    build: () => {
      const leaf = make.certificate('ku-encipher', {
        subject: '/O=Table/CN=ku-encipher',
        key: keys.leaf,
        issuer: root,
        extensions: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,keyEncipherment'],
      });
      return { leaf, anchor: root };
    },
  },
  {
    name: 'device without keyUsage, EKU clientAuth',
    expect: 'accept',
    build: () => {
      const leaf = make.certificate('no-ku', {
        subject: '/O=Table/CN=no-ku',
        key: keys.leaf,
        issuer: root,
        extensions: ['basicConstraints = critical,CA:FALSE', 'extendedKeyUsage = clientAuth'],
      });
      return { leaf, anchor: root };
    },
  },
  {
    name: 'device EKU serverAuth only',
    expect: 'EKU_NOT_CLIENT_AUTH',
    build: () => {
      const leaf = make.certificate('eku-server', {
        subject: '/O=Table/CN=eku-server',
        key: keys.leaf,
        issuer: root,
        extensions: ['basicConstraints = critical,CA:FALSE', 'extendedKeyUsage = serverAuth'],
      });
      return { leaf, anchor: root };
    },
  },
  {
    name: 'intermediate restricted to EKU serverAuth',
    expect: 'EKU_NOT_CLIENT_AUTH',
    build: () => {
      const int = ca('int-eku-server', root, ['extendedKeyUsage = serverAuth']);
      return { leaf: device('below-eku-server', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'intermediate restricted to EKU clientAuth',
    expect: 'accept',
    build: () => {
      const int = ca('int-eku-client', root, ['extendedKeyUsage = clientAuth']);
      return { leaf: device('below-eku-client', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'intermediate that is not a CA (cA FALSE)',
    expect: 'ISSUER_MISMATCH',
    build: () => {
      const int = make.certificate('int-not-ca', {
        subject: '/O=Table/CN=int-not-ca',
        key: keys.int,
        issuer: root,
        extensions: ['basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature'],
      });
      return { leaf: device('below-not-ca', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'intermediate CA whose keyUsage lacks keyCertSign',
    expect: 'ISSUER_MISMATCH',
    build: () => {
      const int = make.certificate('int-no-certsign', {
        subject: '/O=Table/CN=int-no-certsign',
        key: keys.int,
        issuer: root,
        extensions: ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,digitalSignature,cRLSign'],
      });
      return { leaf: device('below-no-certsign', int), anchor: root, intermediates: [int] };
    },
  },
  {
    name: 'two intermediates below a path-length-0 intermediate',
    expect: 'ISSUER_MISMATCH',
    build: () => {
      const upper = ca('int-upper-pl0', root, ['basicConstraints = critical,CA:TRUE,pathlen:0']);
      const lower = make.certificate('int-lower', {
        subject: '/O=Table/CN=int-lower',
        key: keys.p384,
        issuer: upper,
        extensions: CA_EXTENSIONS,
      });
      return { leaf: device('below-lower', lower), anchor: root, intermediates: [upper, lower] };
    },
  },
  {
    name: 'two intermediates below a path-length-1 intermediate',
    expect: 'accept',
    build: () => {
      const upper = ca('int-upper-pl1', root, ['basicConstraints = critical,CA:TRUE,pathlen:1']);
      const lower = make.certificate('int-lower-ok', {
        subject: '/O=Table/CN=int-lower-ok',
        key: keys.p384,
        issuer: upper,
        extensions: ['basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign'],
      });
      return { leaf: device('below-lower-ok', lower), anchor: root, intermediates: [upper, lower] };
    },
  },
  {
    name: 'device expired at the check date',
    expect: 'EXPIRED',
    build: () => ({
      leaf: device('expired', root, [], { days: 1 }),
      anchor: root,
      at: new Date(at.getTime() + 2 * DAY),
    }),
  },
  {
    name: 'intermediate expired at the check date',
    expect: 'EXPIRED',
    build: () => {
      const int = ca('int-expired', root, [], { days: 1 });
      return {
        leaf: device('below-expired', int, [], { days: 30 }),
        anchor: root,
        intermediates: [int],
        at: new Date(at.getTime() + 2 * DAY),
      };
    },
  },
  {
    name: 'check date a day before the device was issued',
    expect: 'NOT_YET_VALID',
    build: () => ({ leaf: device('early', root), anchor: root, at: new Date(at.getTime() - 2 * DAY) }),
  },
  {
    name: 'device of another root',
    expect: 'ISSUER_MISMATCH',
    build: () => ({ leaf: device('stranger', rsaRoot), anchor: root }),
  },
  ...policyCases(),
  {
    name: 'Azure Sphere shape: P-384 tenant CA with SHA-384 and no SKI/AKI, trusted without its root',
    expect: 'accept',
    build: () => {
      const policy = make.certificate('policy-ca', {
        subject: '/CN=Table Policy CA',
        key: keys.int,
        issuer: root,
        extensions: [...CA_EXTENSIONS, 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'],
        digest: 'sha384',
      });
      const tenant = make.certificate('tenant-ca', {
        subject: '/CN=Table Tenant CA',
        key: keys.p384,
        issuer: policy,
        extensions: [...CA_EXTENSIONS, 'subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'],
        digest: 'sha384',
      });
      const leaf = device('sphere-device', tenant, ['subjectKeyIdentifier = none', 'authorityKeyIdentifier = none'], {
        digest: 'sha384',
      });
      return { leaf, anchor: tenant, strict: false, partialChain: true };
    },
  },
];

function nameConstraintCases(): Case[] {
  const dir = (name: string, subject: string, constraint: ReturnType<typeof nc>, expect: Case['expect']): Case => ({
    name,
    expect,
    build: () => {
      const constrained = ca(`nc-${name.replace(/\W+/g, '-')}`, root, constraint.extra, {
        sections: constraint.sections,
      });
      const leaf = make.certificate(`nc-leaf-${name.replace(/\W+/g, '-')}`, {
        subject,
        key: keys.leaf,
        issuer: constrained,
        extensions: DEVICE_EXTENSIONS,
      });
      return { leaf, anchor: constrained, partialChain: true };
    },
  });
  const san = (name: string, altName: string, constraint: string, expect: Case['expect']): Case => ({
    name,
    expect,
    build: () => {
      const constrained = ca(`nc-${name.replace(/\W+/g, '-')}`, root, [`nameConstraints = critical,${constraint}`]);
      const leaf = device(`nc-leaf-${name.replace(/\W+/g, '-')}`, constrained, [`subjectAltName = ${altName}`]);
      return { leaf, anchor: root, intermediates: [constrained] };
    },
  });
  const acme = nc('permitted;dirName:acme', '[acme]\nO = Acme\n');
  return [
    dir('subject inside the trusted CA permitted directoryName', '/O=Acme/CN=inside', acme, 'accept'),
    dir(
      'subject outside the trusted CA permitted directoryName',
      '/O=Other/CN=outside',
      acme,
      'NAME_CONSTRAINTS_VIOLATED',
    ),
    dir(
      'subject inside an excluded directoryName',
      '/O=Evil/CN=excluded',
      nc('excluded;dirName:evil', '[evil]\nO = Evil\n'),
      'NAME_CONSTRAINTS_VIOLATED',
    ),
    san('dNSName inside a permitted domain', 'DNS:a.example.com', 'permitted;DNS:example.com', 'accept'),
    san(
      'dNSName outside a permitted domain',
      'DNS:a.example.org',
      'permitted;DNS:example.com',
      'NAME_CONSTRAINTS_VIOLATED',
    ),
    san('iPAddress inside a permitted range', 'IP:10.1.2.3', 'permitted;IP:10.0.0.0/255.0.0.0', 'accept'),
    san(
      'iPAddress outside a permitted range',
      'IP:192.168.1.1',
      'permitted;IP:10.0.0.0/255.0.0.0',
      'NAME_CONSTRAINTS_VIOLATED',
    ),
    san('rfc822Name at a permitted host', 'email:a@example.com', 'permitted;email:example.com', 'accept'),
    san('rfc822Name at another host', 'email:a@other.com', 'permitted;email:example.com', 'NAME_CONSTRAINTS_VIOLATED'),
    san('dNSName in an excluded domain', 'DNS:x.bad.example', 'excluded;DNS:bad.example', 'NAME_CONSTRAINTS_VIOLATED'),
  ];
}

function policyCases(): Case[] {
  const POLICY = '1.3.6.1.4.1.55555.10.1';
  const OTHER = '1.3.6.1.4.1.55555.10.2';
  let count = 0;
  const chain = (name: string, intExtra: string[], leafExtra: string[], expect: Case['expect']): Case => ({
    name,
    expect,
    build: () => {
      const id = count++;
      const int = ca(`pol-int-${id}`, root, intExtra);
      const leaf = device(`pol-leaf-${id}`, int, leafExtra);
      return { leaf, anchor: root, intermediates: [int] };
    },
  });
  const require = 'policyConstraints = critical,requireExplicitPolicy:0';
  // root -> upper -> lower -> device: upper sets the constraints, lower maps POLICY (its domain) to OTHER (below it).
  const mapped = (name: string, upperConstraints: string, expect: Case['expect']): Case => ({
    name,
    expect,
    build: () => {
      const id = count++;
      const upper = ca(`pol-upper-${id}`, root, [upperConstraints, `certificatePolicies = ${POLICY}`]);
      const lower = make.certificate(`pol-lower-${id}`, {
        subject: `/O=Table/CN=pol-lower-${id}`,
        key: keys.p384,
        issuer: upper,
        extensions: [
          ...CA_EXTENSIONS,
          `certificatePolicies = ${POLICY}`,
          `policyMappings = critical,${POLICY}:${OTHER}`,
        ],
      });
      const leaf = device(`pol-mapped-leaf-${id}`, lower, [`certificatePolicies = ${OTHER}`]);
      return { leaf, anchor: root, intermediates: [upper, lower] };
    },
  });
  return [
    mapped('explicit policy required, the device policy reached through a policy mapping', require, 'accept'),
    mapped(
      'explicit policy required and policy mapping inhibited, the device policy only reachable by mapping',
      'policyConstraints = critical,requireExplicitPolicy:0,inhibitPolicyMapping:0',
      'POLICY_CONSTRAINTS_VIOLATED',
    ),
    chain(
      'explicit policy required, device without policies',
      [require, `certificatePolicies = ${POLICY}`],
      [],
      'POLICY_CONSTRAINTS_VIOLATED',
    ),
    chain(
      'explicit policy required, device with the same policy',
      [require, `certificatePolicies = ${POLICY}`],
      [`certificatePolicies = ${POLICY}`],
      'accept',
    ),
    chain(
      'explicit policy required, device with another policy',
      [require, `certificatePolicies = ${POLICY}`],
      [`certificatePolicies = ${OTHER}`],
      'POLICY_CONSTRAINTS_VIOLATED',
    ),
    chain(
      'explicit policy required, intermediate anyPolicy, device with a policy',
      [require, 'certificatePolicies = 2.5.29.32.0'],
      [`certificatePolicies = ${POLICY}`],
      'accept',
    ),
    chain(
      'anyPolicy inhibited below, device with anyPolicy only',
      [require, 'certificatePolicies = 2.5.29.32.0', 'inhibitAnyPolicy = critical,0'],
      ['certificatePolicies = 2.5.29.32.0'],
      'POLICY_CONSTRAINTS_VIOLATED',
    ),
    chain(
      'policies without constraints',
      [`certificatePolicies = ${POLICY}`],
      [`certificatePolicies = ${OTHER}`],
      'accept',
    ),
  ];
}

beforeAll(() => {
  keys = {
    root: make.key('root'),
    int: make.key('int'),
    leaf: make.key('leaf'),
    p384: make.key('p384', 'P-384'),
    rsaRoot: make.key('rsa-root', 'RSA-2048'),
    rsa1024: make.key('rsa-1024', 'RSA-1024'),
  };
  root = make.certificate('root', { subject: '/O=Table/CN=Table Root', key: keys.root, extensions: CA_EXTENSIONS });
  rsaRoot = make.certificate('rsa-root', {
    subject: '/O=Table/CN=Table RSA Root',
    key: keys.rsaRoot,
    extensions: CA_EXTENSIONS,
  });
  at = new Date(opensslNotBefore(root.path).getTime() + HOUR);
});

describe('openssl verify and jitr agree on RFC 5280 path validation', () => {
  it('has at least 30 cases, accepts and refusals', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(CASES.filter((c) => c.expect === 'accept').length).toBeGreaterThanOrEqual(10);
  });

  for (const testCase of CASES) {
    it(`${testCase.expect === 'accept' ? 'accepts' : `refuses (${testCase.expect})`}: ${testCase.name}`, () => {
      const built = testCase.build();
      const checkAt = built.at ?? at;
      const untrusted = built.intermediates?.length
        ? make.bundle(testCase.name.replace(/\W+/g, '-'), built.intermediates)
        : undefined;

      const openssl = opensslVerdict({
        anchor: built.anchor.path,
        certificate: built.leaf.path,
        ...(untrusted ? { untrusted } : {}),
        at: checkAt,
        ...(built.strict === false ? { strict: false } : {}),
        ...(built.partialChain ? { partialChain: true } : {}),
      });
      const jitr = validateDeviceCertificate({
        certificate: read(built.leaf.path),
        issuer: read(built.anchor.path),
        intermediates: (built.intermediates ?? []).map((c) => read(c.path)),
        profile: { profile: 'generic' },
        at: checkAt,
      });

      const codes = [...new Set(jitr.reasons.map((r) => r.code))];
      expect({ openssl: openssl.ok, codes }, openssl.output).toEqual({
        openssl: testCase.expect === 'accept',
        codes: testCase.expect === 'accept' ? [] : [testCase.expect],
      });
    });
  }
});
