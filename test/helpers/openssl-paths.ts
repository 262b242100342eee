import { join } from 'node:path';
import { openssl, opensslStatus, type scratchDir } from './openssl.js';

/**
 * Certificates for path-validation cases, made by the openssl command line (one `openssl x509 -new` per certificate):
 * any extension openssl's config language can say, any digest, any key. Paths and keys live in a scratch directory.
 */
export interface OpensslCertificate {
  path: string;
  key: string;
}

export type Digest = 'sha256' | 'sha384' | 'sha512' | 'sha1' | 'md5' | 'sha224';

export interface CertificateSpec {
  subject: string;
  /** The certificate's key (a path from `key()`). */
  key: string;
  /** Who signs it; self-signed when absent. */
  issuer?: OpensslCertificate;
  /** Lines of an openssl extension section (`basicConstraints = critical,CA:TRUE`, ...). */
  extensions: string[];
  /** Further config sections the extension lines refer to (e.g. a dirName section). */
  sections?: string;
  digest?: Digest;
  days?: number;
}

export const CA_EXTENSIONS = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign'];
export const DEVICE_EXTENSIONS = [
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature',
  'extendedKeyUsage = clientAuth',
];

export class OpensslPathFactory {
  private serial = 0x2000;
  private count = 0;

  constructor(private readonly scratch: ReturnType<typeof scratchDir>) {}

  /** A private key: EC on a named curve (fast) or RSA of some size; returns its path. */
  key(name: string, type: 'P-256' | 'P-384' | `RSA-${number}` = 'P-256'): string {
    const args = type.startsWith('RSA-')
      ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${type.slice(4)}`]
      : ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${type}`];
    const path = this.scratch.write(`${name}.key.pem`, openssl(args));
    this.scratch.write(`${name}.pub.pem`, openssl(['pkey', '-in', path, '-pubout']));
    return path;
  }

  certificate(name: string, spec: CertificateSpec): OpensslCertificate {
    const config = this.scratch.write(
      `${name}-${this.count++}.cnf`,
      `[ext]\n${spec.extensions.join('\n')}\n${spec.sections ?? ''}\n`,
    );
    const path = join(this.scratch.dir, `${name}.cert.pem`);
    const signer = spec.issuer
      ? [
          '-force_pubkey',
          spec.key.replace(/\.key\.pem$/, '.pub.pem'),
          '-CA',
          spec.issuer.path,
          '-CAkey',
          spec.issuer.key,
        ]
      : ['-key', spec.key];
    openssl([
      'x509',
      '-new',
      '-subj',
      spec.subject,
      ...signer,
      '-set_serial',
      String(this.serial++),
      '-days',
      String(spec.days ?? 3650),
      '-extfile',
      config,
      '-extensions',
      'ext',
      `-${spec.digest ?? 'sha256'}`,
      '-out',
      path,
    ]);
    return { path, key: spec.key };
  }

  /** Several certificates in one PEM file (the untrusted intermediates openssl verify takes). */
  bundle(name: string, certificates: OpensslCertificate[]): string {
    const text = certificates.map((certificate) => openssl(['x509', '-in', certificate.path])).join('');
    return this.scratch.write(`${name}.bundle.pem`, text);
  }
}

/**
 * `openssl verify` as the table uses it: strict X.509, the TLS client purpose, security level 2 for signatures and
 * keys (112 bits: no MD5/SHA-1, no RSA below 2048), policy processing from anyPolicy, a fixed check date. `partialChain` trusts a
 * CA that is not self-signed (an Azure Sphere tenant CA), as jitr trusts the CA registered with AWS IoT.
 */
export function opensslVerdict(opts: {
  anchor: string;
  certificate: string;
  untrusted?: string;
  at: Date;
  strict?: boolean;
  partialChain?: boolean;
}): { ok: boolean; output: string } {
  // -policy anyPolicy: the relying party accepts any policy (openssl's default set is empty, which fails any path
  // that requires an explicit policy); jitr's policy processing starts from anyPolicy too.
  const args = ['verify', '-auth_level', '2', '-purpose', 'sslclient', '-policy_check', '-policy', '2.5.29.32.0'];
  if (opts.strict !== false) args.push('-x509_strict');
  if (opts.partialChain) args.push('-partial_chain');
  args.push('-attime', String(Math.floor(opts.at.getTime() / 1000)), '-CAfile', opts.anchor);
  if (opts.untrusted) args.push('-untrusted', opts.untrusted);
  args.push(opts.certificate);
  const { status, output } = opensslStatus(args);
  return { ok: status === 0, output };
}
