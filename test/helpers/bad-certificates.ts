/**
 * A corpus of bad device certificates and registration events, made at test time (nothing checked in): every case names
 * the code the pipeline must answer with. Certificates that parse are signed by the trusted fleet CA unless the case is
 * about the issuer, so each one is bad for exactly the reason it names.
 *
 * Stages: `api` cases are refused at the control plane's door (they are not certificates at all); `lambda` cases are
 * registered (as JITR or RegisterCertificateWithoutCA would) and refused by the onboarding workflow; `event` cases are
 * registration events the workflow must refuse whatever certificate they point at.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createFleetCa, type FleetCa, issueFleetDevice, randomAzureSphereDeviceId } from '../../certs/fleet.js';
import { createRootCa, type IssuedCa, issueDeviceCertificate, randomSerialNumber } from '../../certs/issue.js';
import { signingKeyFromObject } from '../../certs/keygen.js';
import { x509 } from '../../certs/x509-lib.js';

export type Stage = 'api' | 'lambda' | 'event';

export interface BadCase {
  name: string;
  stage: Stage;
  /** The stable code expected: an AWS error name for `api`, a reason code of the workflow otherwise. */
  expect: string;
  /** PEM text, or raw bytes sent as text (truncated, huge, non-UTF-8). */
  certificatePem?: string;
  /** For `event` cases: the event, with `$certificateId` standing for a registered good certificate's id. */
  event?: Record<string, unknown> | unknown;
  /** The device id the certificate claims, when it has one (no Thing of that name may appear). */
  deviceId?: string;
  /** The workflow's clock, relative to now (a late replay, a clock behind). */
  checkAtOffsetMs?: number;
}

const DAY = 86_400_000;
const TENANT = '6f0c2a5e-1b4d-4c1e-9a3b-2f8e7d6c5b4a';

/** Wraps DER in PEM armour. */
export function pemOf(der: Uint8Array, label = 'CERTIFICATE'): string {
  const body = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body.trim()}\n-----END ${label}-----\n`;
}

function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
}

/** A minimal DER encoder for the hand-made names (length up to 65535). */
function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), Buffer.from(content)]);
}

const OID_CN = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);

/** A Name DER with one CN whose UTF8String holds exactly `bytes` (invalid UTF-8 included). */
function rawCommonName(bytes: Uint8Array, tag = 0x0c): x509.Name {
  const atv = tlv(0x30, Buffer.concat([OID_CN, tlv(tag, bytes)]));
  return new x509.Name(tlv(0x30, tlv(0x31, atv)));
}

interface Custom {
  subject: x509.Name | string;
  spki?: Uint8Array;
  notBefore?: Date;
  notAfter?: Date;
  extensions?: x509.Extension[];
  serialNumber?: string;
}

function ecSpki(curve: string): Uint8Array {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

function rsaSpki(bits: number): Uint8Array {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

function edSpki(): Uint8Array {
  const { publicKey } = generateKeyPairSync('ed25519');
  return new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
}

const leafExtensions = (): x509.Extension[] => [
  new x509.BasicConstraintsExtension(false, undefined, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
];

/** Signs whatever `custom` describes with `ca`'s key: the knobs certs/issue.ts does not expose. */
export async function signCustom(ca: IssuedCa, custom: Custom): Promise<string> {
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const caKey: KeyObject = createPrivateKey(ca.privateKeyPem);
  const signing = await signingKeyFromObject(caKey);
  const spki = custom.spki ?? ecSpki('prime256v1');
  const publicKey = new x509.PublicKey(spki);
  const now = Date.now();
  const extensions = custom.extensions ?? [
    ...leafExtensions(),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
  extensions.push(await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey));
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: custom.serialNumber ?? randomSerialNumber(),
    subject: custom.subject,
    issuer: caCert.subjectName,
    notBefore: custom.notBefore ?? new Date(now - 60_000),
    notAfter: custom.notAfter ?? new Date(now + 365 * DAY),
    publicKey,
    signingKey: signing.key,
    signingAlgorithm: signing.algorithm,
    extensions,
  });
  return `${certificate.toString('pem').trim()}\n`;
}

/**
 * Builds the corpus against `fleet` (an Azure Sphere tenant CA the pipeline trusts). `otherTenant` is a second trusted
 * Azure Sphere CA (another tenant), `untrusted` a CA the account never heard of.
 */
export async function badCorpus(fleet: FleetCa, otherTenant: FleetCa): Promise<BadCase[]> {
  const untrusted = await createFleetCa('azure-sphere', { tenantId: TENANT });
  const stranger = await createRootCa({ commonName: 'Unrelated Root' });
  const now = Date.now();
  const cases: BadCase[] = [];
  const lambda = (name: string, expect: string, certificatePem: string, deviceId?: string) =>
    cases.push({ name, stage: 'lambda', expect, certificatePem, ...(deviceId ? { deviceId } : {}) });
  const withId = async (name: string, expect: string, make: (cn: string) => Promise<string>) => {
    const id = randomAzureSphereDeviceId();
    lambda(name, expect, await make(`CN=${id}`), id.toLowerCase());
  };

  // Dates. AWS IoT refuses to register a certificate outside its validity; one that expires between registration and
  // the (late, replayed) event, or meets a clock behind its notBefore, must still be refused by the workflow.
  const apiDates = async (name: string, notBefore: number, notAfter: number) => {
    const id = randomAzureSphereDeviceId();
    cases.push({
      name,
      stage: 'api',
      expect: 'CertificateValidationException',
      certificatePem: await signCustom(fleet, {
        subject: `CN=${id}`,
        notBefore: new Date(notBefore),
        notAfter: new Date(notAfter),
      }),
      deviceId: id.toLowerCase(),
    });
  };
  await apiDates('expired a year ago', now - 400 * DAY, now - 35 * DAY);
  await apiDates('expired an hour ago', now - DAY, now - 3_600_000);
  await apiDates('valid from next week', now + 7 * DAY, now + 30 * DAY);
  await apiDates('valid from next year', now + 365 * DAY, now + 400 * DAY);
  {
    const id = randomAzureSphereDeviceId();
    const pem = await signCustom(fleet, { subject: `CN=${id}`, notAfter: new Date(now + DAY) });
    cases.push({
      name: 'expired by the time its event is replayed',
      stage: 'lambda',
      expect: 'EXPIRED',
      certificatePem: pem,
      deviceId: id.toLowerCase(),
      checkAtOffsetMs: 3 * DAY,
    });
  }
  {
    const id = randomAzureSphereDeviceId();
    const pem = await signCustom(fleet, { subject: `CN=${id}` });
    cases.push({
      name: 'checked by a clock a day behind',
      stage: 'lambda',
      expect: 'NOT_YET_VALID',
      certificatePem: pem,
      deviceId: id.toLowerCase(),
      checkAtOffsetMs: -DAY,
    });
  }
  // Issuer.
  await withId('signed by an untrusted CA of another tenant', 'ISSUER_MISMATCH', (cn) =>
    signCustom(untrusted, { subject: cn }),
  );
  await withId('signed by an unrelated root', 'ISSUER_MISMATCH', (cn) => signCustom(stranger, { subject: cn }));
  {
    const device = await issueFleetDevice(otherTenant);
    lambda('a trusted tenant device sent with the wrong CA in its event', 'ISSUER_MISMATCH', device.certificatePem);
  }
  {
    // Issuer name of the fleet CA, but another key signed it: the signature is what counts.
    const forger: IssuedCa = { ...untrusted, certificatePem: fleet.certificatePem };
    const id = randomAzureSphereDeviceId();
    lambda(
      'issuer name forged, signed by another key',
      'SIGNATURE_INVALID',
      await signCustom(forger, { subject: `CN=${id}` }),
      id.toLowerCase(),
    );
  }
  {
    const good = await issueFleetDevice(fleet);
    const der = derOf(good.certificatePem);
    der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 0x01;
    lambda('signature bit flipped', 'SIGNATURE_INVALID', pemOf(der), good.deviceId.toLowerCase());
  }
  // CA as leaf.
  await withId('a CA certificate (basicConstraints cA=true)', 'CA_CERTIFICATE_AS_DEVICE', (cn) =>
    signCustom(fleet, {
      subject: cn,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
      ],
    }),
  );
  lambda('the fleet CA itself presented as a device', 'CA_CERTIFICATE_AS_DEVICE', fleet.certificatePem);
  {
    const id = randomAzureSphereDeviceId();
    const leafCa = await issueDeviceCertificate(fleet, { subject: { commonName: id }, isCa: true });
    lambda(
      'a device certificate issued with isCa',
      'CA_CERTIFICATE_AS_DEVICE',
      leafCa.certificatePem,
      id.toLowerCase(),
    );
  }
  // Keys.
  await withId('RSA 1024 key', 'WEAK_KEY', (cn) => signCustom(fleet, { subject: cn, spki: rsaSpki(1024) }));
  await withId('RSA 1536 key', 'WEAK_KEY', (cn) => signCustom(fleet, { subject: cn, spki: rsaSpki(1536) }));
  await withId('RSA 512 key', 'WEAK_KEY', (cn) => signCustom(fleet, { subject: cn, spki: rsaSpki(512) }));
  await withId('secp256k1 key', 'WEAK_KEY', (cn) => signCustom(fleet, { subject: cn, spki: ecSpki('secp256k1') }));
  await withId('P-192 key', 'WEAK_KEY', (cn) => signCustom(fleet, { subject: cn, spki: ecSpki('prime192v1') }));
  await withId('Ed25519 key', 'WEAK_KEY', (cn) => signCustom(fleet, { subject: cn, spki: edSpki() }));
  // Extended key usage.
  await withId('serverAuth only', 'EKU_NOT_CLIENT_AUTH', (cn) =>
    signCustom(fleet, {
      subject: cn,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      ],
    }),
  );
  await withId('codeSigning only', 'EKU_NOT_CLIENT_AUTH', (cn) =>
    signCustom(fleet, {
      subject: cn,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning], false),
      ],
    }),
  );
  // Device ids.
  const badId = async (name: string, subject: x509.Name | string, expect = 'DEVICE_ID_INVALID') =>
    lambda(name, expect, await signCustom(fleet, { subject }));
  await badId('no common name', 'O=Contoso', 'DEVICE_ID_MISSING');
  await badId('empty subject', new x509.Name([]), 'DEVICE_ID_MISSING');
  await badId('127 hex digits', `CN=${randomAzureSphereDeviceId().slice(1)}`);
  await badId('129 hex digits', `CN=${randomAzureSphereDeviceId()}0`);
  await badId('128 chars, not hex', `CN=${'g'.repeat(128)}`);
  await badId('device id with a slash', `CN=${randomAzureSphereDeviceId().slice(0, 127)}/`);
  await badId('device id of MQTT wildcards', new x509.Name([{ CN: ['+#'.repeat(64)] }]));
  await badId('device id with a NUL', rawCommonName(Buffer.concat([Buffer.alloc(127, 0x61), Buffer.from([0])])));
  await badId(
    'two common names',
    new x509.Name([{ CN: [randomAzureSphereDeviceId()] }, { CN: [randomAzureSphereDeviceId()] }]),
  );
  await badId('non-UTF-8 subject bytes', rawCommonName(Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1])));
  await badId('overlong UTF-8 in the subject', rawCommonName(Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf])));
  await badId(
    'PrintableString subject holding a wildcard and control bytes',
    rawCommonName(Buffer.from('*\x01\x7f#', 'latin1'), 0x13),
  );
  await badId('right-to-left override in the id', `CN=${randomAzureSphereDeviceId().slice(0, 126)}\u202e1`);
  await badId('4 KB common name', `CN=${'a'.repeat(4096)}`);
  // Tenant: a trusted tenant's device sent as the other tenant (right CA key, wrong tenant for the configuration).
  {
    const foreign = await createFleetCa('azure-sphere', { tenantId: '00000000-0000-4000-8000-000000000000' });
    const forged: IssuedCa = { ...foreign, privateKeyPem: fleet.privateKeyPem };
    const id = randomAzureSphereDeviceId();
    const pem = await signCustom(forged, { subject: `CN=${id}` });
    lambda('issuer names another tenant', 'ISSUER_MISMATCH', pem, id.toLowerCase());
  }
  // Duplicate extensions.
  await withId('basicConstraints twice', 'CertificateValidationException', async (cn) => {
    const spki = ecSpki('prime256v1');
    return signCustom(fleet, {
      subject: cn,
      spki,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
      ],
    });
  });
  await withId('extendedKeyUsage twice', 'CertificateValidationException', (cn) =>
    signCustom(fleet, {
      subject: cn,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      ],
    }),
  );

  // Not certificates at all: refused by the control plane before anything is registered.
  const api = (name: string, certificatePem: string, expect = 'CertificateValidationException') =>
    cases.push({ name, stage: 'api', expect, certificatePem });
  const good = await issueFleetDevice(fleet);
  const goodDer = derOf(good.certificatePem);
  api('truncated to half', pemOf(goodDer.subarray(0, goodDer.length >> 1)));
  api('truncated by one byte', pemOf(goodDer.subarray(0, goodDer.length - 1)));
  // The same certificate with bytes after its DER would otherwise exist under a second encoding.
  api('a valid certificate followed by trailing bytes', pemOf(Buffer.concat([goodDer, Buffer.from([0x00, 0x00])])));
  api('PEM armour around random bytes', pemOf(randomBytes(300)));
  api('empty PEM body', '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
  api('a private key instead of a certificate', good.privateKeyPem ?? '');
  api('raw non-UTF-8 bytes', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]).toString('latin1'));
  api('a 900 KB PEM of zeros', pemOf(Buffer.alloc(675_000)));
  api('DER length field claiming 4 GB', pemOf(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00])));

  // Events: malformed ones are refused whatever they point at.
  const event = (name: string, value: unknown, expect = 'MALFORMED_EVENT') =>
    cases.push({ name, stage: 'event', expect, event: value });
  const base = {
    certificateId: '$certificateId',
    caCertificateId: '$caCertificateId',
    timestamp: now,
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: '000000000000',
    certificateRegistrationTimestamp: String(now),
  };
  event('event: null', null);
  event('event: a string', 'PENDING_ACTIVATION');
  event('event: certificate id of 63 hex digits', { ...base, certificateId: 'a'.repeat(63) });
  event('event: certificate id with a path', { ...base, certificateId: `../${'a'.repeat(61)}` });
  event('event: certificate id in upper case with a space', { ...base, certificateId: ` ${'A'.repeat(64)}` });
  event('event: CA id is a number', { ...base, caCertificateId: 42 });
  event('event: status missing', { ...base, certificateStatus: undefined });
  event('event: prototype pollution keys', JSON.parse(`{"__proto__":{"x":1},"constructor":{"prototype":{}}}`));
  event('event: 1 MB string id', { ...base, certificateId: 'a'.repeat(1_000_000) });
  event('event: untrusted CA', { ...base, caCertificateId: 'b'.repeat(64) }, 'CA_NOT_TRUSTED');
  event(
    'event: unknown certificate of a trusted CA',
    { ...base, certificateId: 'c'.repeat(64) },
    'CERTIFICATE_NOT_FOUND',
  );
  return cases;
}
