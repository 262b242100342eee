import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrlReason } from '../../certs/crl.js';
import { ENTRY_REASONS, type RevocationInput } from '../../certs/crl-issue.js';
import { normaliseSerialNumber } from '../../certs/deny.js';
import { InputError } from '../cli/errors.js';
import { writeOutputFiles } from './ca-files.js';

/**
 * The CA owner's revocation register, `DIR/revoked.json` beside `ca.cert.pem` (what openssl's `index.txt` is to
 * `openssl ca`): every certificate `jitr ca revoke` recorded, and the number of the last CRL `jitr ca crl` signed.
 */
export const REVOCATIONS_FILE = 'revoked.json';

export interface RevocationRegister {
  /** cRLNumber of the last CRL signed (decimal string; 0 before the first). */
  crlNumber: string;
  entries: { serialNumber: string; revokedAt: string; reason: CrlReason }[];
}

function invalid(path: string, why: string): InputError {
  return new InputError('INVALID_REVOCATIONS', `${path}: ${why}`);
}

export function readRevocations(dir: string): RevocationRegister {
  const path = join(dir, REVOCATIONS_FILE);
  if (!existsSync(path)) return { crlNumber: '0', entries: [] };
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError('INVALID_REVOCATIONS', `${path} is not valid JSON`, { cause: error });
  }
  const record = document as Partial<RevocationRegister> | null;
  if (!record || typeof record !== 'object' || !Array.isArray(record.entries)) throw invalid(path, 'no entries list');
  if (typeof record.crlNumber !== 'string' || !/^\d{1,40}$/.test(record.crlNumber)) {
    throw invalid(path, 'crlNumber must be a decimal string');
  }
  for (const entry of record.entries) {
    const ok =
      entry &&
      typeof entry.serialNumber === 'string' &&
      /^[0-9a-f]{1,40}$/.test(entry.serialNumber) &&
      typeof entry.revokedAt === 'string' &&
      !Number.isNaN(new Date(entry.revokedAt).getTime()) &&
      (ENTRY_REASONS as readonly string[]).includes(entry.reason);
    if (!ok) throw invalid(path, `entry ${JSON.stringify(entry)} is not {serialNumber, revokedAt, reason}`);
  }
  return { crlNumber: record.crlNumber, entries: record.entries };
}

export function writeRevocations(dir: string, register: RevocationRegister): string {
  const written = writeOutputFiles(dir, [
    { name: REVOCATIONS_FILE, content: `${JSON.stringify(register, null, 2)}\n` },
  ]);
  return written[REVOCATIONS_FILE]!;
}

/** Adds a revocation unless the serial number is already listed (its first date and reason stay). */
export function addRevocation(
  register: RevocationRegister,
  entry: { serialNumber: string; revokedAt: Date; reason: CrlReason },
): { register: RevocationRegister; added: boolean } {
  const serialNumber = normaliseSerialNumber(entry.serialNumber);
  if (register.entries.some((existing) => existing.serialNumber === serialNumber)) return { register, added: false };
  const next = { serialNumber, revokedAt: entry.revokedAt.toISOString(), reason: entry.reason };
  return { register: { ...register, entries: [...register.entries, next] }, added: true };
}

export function revocationInputs(register: RevocationRegister): RevocationInput[] {
  return register.entries.map((entry) => ({
    serialNumber: entry.serialNumber,
    revokedAt: new Date(entry.revokedAt),
    reason: entry.reason,
  }));
}
