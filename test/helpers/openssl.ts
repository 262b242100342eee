import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the system `openssl` (a second, independent X.509 implementation to check ours against). */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Like `openssl`, but returns the exit status and both streams instead of throwing. */
export function opensslStatus(args: string[]): { status: number; output: string } {
  try {
    return { status: 0, output: openssl(args) };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { status: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A scratch directory, removed by the returned `cleanup`. */
export function scratchDir(prefix = 'jitr-test-'): {
  dir: string;
  write(name: string, text: string | Uint8Array): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `openssl x509 -fingerprint -sha256` as AWS writes a certificateId: lowercase hex, no colons. */
export function opensslFingerprint(certificatePath: string): string {
  const line = openssl(['x509', '-in', certificatePath, '-noout', '-fingerprint', '-sha256']);
  return line.trim().split('=')[1]!.replaceAll(':', '').toLowerCase();
}

/** `openssl x509 -text` of a certificate file. */
export function opensslText(certificatePath: string): string {
  return openssl(['x509', '-in', certificatePath, '-noout', '-text']);
}

/** `openssl verify`; `at` (epoch seconds via -attime) keeps the check independent of the wall clock. */
export function opensslVerify(opts: {
  caFile: string;
  untrusted?: string;
  certificate: string;
  at?: Date;
  purpose?: string;
  /** Trust `caFile` although it is not self-signed (an Azure Sphere tenant CA, trusted as AWS IoT trusts it). */
  partialChain?: boolean;
}): {
  ok: boolean;
  output: string;
} {
  const args = ['verify', '-CAfile', opts.caFile];
  if (opts.partialChain) args.push('-partial_chain');
  if (opts.untrusted) args.push('-untrusted', opts.untrusted);
  if (opts.at) args.push('-attime', String(Math.floor(opts.at.getTime() / 1000)));
  if (opts.purpose) args.push('-purpose', opts.purpose);
  args.push(opts.certificate);
  const { status, output } = opensslStatus(args);
  return { ok: status === 0, output };
}

const CONFIG = `[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[device]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[device_no_ski]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[device_server]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
`;

export type OpensslKey = 'EC' | 'RSA' | 'RSA-1024';
export type OpensslProfile = 'signer' | 'device' | 'device_no_ski' | 'device_server';

/** Makes keys and certificates with the openssl command line, in a scratch directory, to test our code against. */
export class OpensslFactory {
  private readonly config: string;
  private serial = 0x1000;

  constructor(private readonly scratch: ReturnType<typeof scratchDir>) {
    this.config = scratch.write('openssl.cnf', CONFIG);
  }

  key(name: string, type: OpensslKey = 'EC'): string {
    const args =
      type === 'EC'
        ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']
        : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${type === 'RSA' ? 2048 : 1024}`];
    return this.scratch.write(`${name}.key.pem`, openssl(args));
  }

  /** A self-signed root CA; returns the certificate's path. */
  root(name: string, subject: string, key: string): string {
    const path = join(this.scratch.dir, `${name}.cert.pem`);
    openssl([
      'req',
      '-x509',
      '-new',
      '-config',
      this.config,
      '-extensions',
      'root',
      '-key',
      key,
      '-subj',
      subject,
      '-days',
      '3650',
      '-out',
      path,
    ]);
    return path;
  }

  /** A certificate for `key` signed by `caCert`/`caKey` with the named extension profile; returns its path. */
  issue(
    name: string,
    opts: {
      subject: string;
      key: string;
      caCert: string;
      caKey: string;
      profile: OpensslProfile;
      days?: number;
      sigopt?: string[];
    },
  ): string {
    const csr = join(this.scratch.dir, `${name}.csr`);
    const path = join(this.scratch.dir, `${name}.cert.pem`);
    openssl(['req', '-new', '-config', this.config, '-key', opts.key, '-subj', opts.subject, '-out', csr]);
    const sigopts = (opts.sigopt ?? []).flatMap((option) => ['-sigopt', option]);
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      opts.caCert,
      '-CAkey',
      opts.caKey,
      '-set_serial',
      String(this.serial++),
      '-days',
      String(opts.days ?? 365),
      '-extfile',
      this.config,
      '-extensions',
      opts.profile,
      '-sha256',
      ...sigopts,
      '-out',
      path,
    ]);
    return path;
  }
}

/** A certificate's notBefore as openssl reads it. */
export function opensslNotBefore(certificatePath: string): Date {
  const line = openssl(['x509', '-in', certificatePath, '-noout', '-startdate']).trim();
  return new Date(line.slice(line.indexOf('=') + 1));
}
