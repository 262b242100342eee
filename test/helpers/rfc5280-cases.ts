import { readFileSync } from 'node:fs';
import { opensslNotBefore } from './openssl.js';
import { CA_EXTENSIONS, DEVICE_EXTENSIONS, type OpensslCertificate, type OpensslPathFactory } from './openssl-paths.js';

/** One of issue 12's five certificates that `openssl verify` refuses and jitr must refuse too. */
export interface Rfc5280Case {
  name: string;
  /** The reason code jitr must give. */
  code: 'WEAK_SIGNATURE' | 'UNHANDLED_CRITICAL_EXTENSION' | 'NAME_CONSTRAINTS_VIOLATED' | 'KEY_USAGE_INVALID';
  /** The device id (its CN, for the generic profile). */
  deviceId: string;
  leaf: OpensslCertificate;
  /** The trusted CA that signed it. */
  ca: OpensslCertificate;
  pem(): string;
}

export interface Rfc5280Cases {
  /** EC P-256 fleet CA `O=Acme`, whose name constraints permit only subjects under `O=Acme`. */
  ecCa: OpensslCertificate;
  /** RSA 2048 fleet CA (MD5 needs an RSA key). */
  rsaCa: OpensslCertificate;
  /** A check date inside every certificate's validity, from the certificates themselves. */
  at: Date;
  cases: Rfc5280Case[];
}

/**
 * Issue 12's five cases, made by the openssl command line: a device signed with SHA-1, one with MD5, one with an
 * unknown critical extension, one outside its CA's name constraints, one with keyUsage keyCertSign+cRLSign and no
 * digitalSignature. `suffix` keeps device ids unique when several tests share an emulator.
 */
export function makeRfc5280Cases(make: OpensslPathFactory, suffix = ''): Rfc5280Cases {
  const ecCa = make.certificate('acme-ca', {
    subject: `/O=Acme/CN=Acme Fleet CA${suffix}`,
    key: make.key('acme-ca'),
    extensions: [...CA_EXTENSIONS, 'nameConstraints = critical,permitted;dirName:acme'],
    sections: '[acme]\nO = Acme\n',
  });
  const rsaCa = make.certificate('acme-rsa-ca', {
    subject: `/O=Acme/CN=Acme RSA Fleet CA${suffix}`,
    key: make.key('acme-rsa-ca', 'RSA-2048'),
    extensions: CA_EXTENSIONS,
  });
  const key = make.key('device');
  const device = (
    name: string,
    code: Rfc5280Case['code'],
    ca: OpensslCertificate,
    opts: { organization?: string; extensions?: string[]; digest?: 'sha1' | 'md5' },
  ): Rfc5280Case => {
    const deviceId = `${name}${suffix}`;
    const leaf = make.certificate(deviceId, {
      subject: `/O=${opts.organization ?? 'Acme'}/CN=${deviceId}`,
      key,
      issuer: ca,
      extensions: opts.extensions ?? DEVICE_EXTENSIONS,
      ...(opts.digest ? { digest: opts.digest } : {}),
    });
    return { name, code, deviceId, leaf, ca, pem: () => readFileSync(leaf.path, 'utf8') };
  };
  return {
    ecCa,
    rsaCa,
    at: new Date(opensslNotBefore(ecCa.path).getTime() + 3_600_000),
    cases: [
      device('sha1-device', 'WEAK_SIGNATURE', ecCa, { digest: 'sha1' }),
      device('md5-device', 'WEAK_SIGNATURE', rsaCa, { digest: 'md5' }),
      device('critical-device', 'UNHANDLED_CRITICAL_EXTENSION', ecCa, {
        extensions: [...DEVICE_EXTENSIONS, '1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:unknown'],
      }),
      device('outside-device', 'NAME_CONSTRAINTS_VIOLATED', ecCa, { organization: 'Globex' }),
      device('certsign-device', 'KEY_USAGE_INVALID', ecCa, {
        extensions: [
          'basicConstraints = critical,CA:FALSE',
          'keyUsage = critical,keyCertSign,cRLSign',
          'extendedKeyUsage = clientAuth',
        ],
      }),
    ],
  };
}
