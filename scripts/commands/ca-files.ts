import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CertificateError } from '../../certs/errors.js';
import type { IssuedCa } from '../../certs/issue.js';
import { caKeyMatches } from '../../certs/issue.js';
import { parseCertificate } from '../../certs/parse.js';
import { InputError } from '../cli/errors.js';

/** The files of a CA directory, as `jitr ca create` writes them and the other commands read them. */
export const CA_FILES = {
  certificate: 'ca.cert.pem',
  key: 'ca.key.pem',
  rootCertificate: 'root.cert.pem',
  rootKey: 'root.key.pem',
} as const;

/** Reads a file the user named; a missing or unreadable file is an I/O error (exit 2). */
export function readInputFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new InputError('FILE_UNREADABLE', `${what} ${path} ${reason}`, { cause: error });
  }
}

export function readInputBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new InputError('FILE_UNREADABLE', `${what} ${path} ${reason}`, { cause: error });
  }
}

/** Loads `DIR/ca.cert.pem` and `DIR/ca.key.pem` and checks that they belong together. */
export function readCaDir(dir: string): IssuedCa {
  const certificatePem = readInputFile(join(dir, CA_FILES.certificate), 'CA certificate');
  const privateKeyPem = readInputFile(join(dir, CA_FILES.key), 'CA private key');
  let certificateId: string;
  try {
    certificateId = parseCertificate(certificatePem).certificateId;
  } catch (error) {
    throw new InputError('MALFORMED_CERTIFICATE', `${join(dir, CA_FILES.certificate)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const ca = { certificatePem, privateKeyPem, certificateId };
  if (!caKeyMatches(ca)) {
    throw new InputError(
      'CA_KEY_MISMATCH',
      `${join(dir, CA_FILES.key)} is not the private key of ${CA_FILES.certificate}`,
    );
  }
  return ca;
}

/** Writes files into `dir` (created if needed); private keys are readable by the owner only. */
export function writeOutputFiles(
  dir: string,
  files: { name: string; content: string | Uint8Array; secret?: boolean }[],
): Record<string, string> {
  const written: Record<string, string> = {};
  try {
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      const path = resolve(dir, file.name);
      writeFileSync(path, file.content, { mode: file.secret ? 0o600 : 0o644 });
      written[file.name] = path;
    }
  } catch (error) {
    throw new InputError('FILE_UNWRITABLE', `cannot write into ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return written;
}

/** A CA key is never overwritten: losing it orphans every device it signed. */
export function refuseExisting(dir: string, names: string[]): void {
  const existing = names.filter((name) => existsSync(join(dir, name)));
  if (existing.length > 0) {
    throw new InputError(
      'FILE_EXISTS',
      `${dir} already holds ${existing.join(', ')}; choose another --out or remove them first`,
    );
  }
}

/** Certificate errors caused by the user's files (a bad CSR, a CA key that cannot sign) are input errors: exit 2. */
export async function asInputErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CertificateError) throw new InputError(error.code, error.message, { cause: error });
    throw error;
  }
}
