import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Per-device claim tokens: `jvt.<base64url device id>.<base64url 32 random bytes>`. The device id inside lets the
 * endpoint tell "another device's token" (403) from "no such token" (401) without a lookup; the 256 random bits are the
 * secret. Only the SHA-256 of the whole token is stored (an SSM SecureString per device): random tokens of this
 * length need no salt or slow hash, since a stored hash cannot be brute-forced back to a token.
 */
const PREFIX = 'jvt';
const SECRET_BYTES = 32;
const TOKEN = /^jvt\.([A-Za-z0-9_-]{1,172})\.([A-Za-z0-9_-]{43})$/;

export interface TokenRecord {
  v: 1;
  sha256: string;
  createdAt: string;
}

export function newClaimToken(deviceId: string, random: (size: number) => Buffer = randomBytes): string {
  const id = Buffer.from(deviceId.toLowerCase(), 'utf8').toString('base64url');
  return `${PREFIX}.${id}.${random(SECRET_BYTES).toString('base64url')}`;
}

/** The (lowercased) device id a token claims to belong to; undefined when it is not a claim token at all. */
export function tokenDeviceId(token: string): string | undefined {
  const match = TOKEN.exec(token);
  if (!match?.[1]) return undefined;
  const deviceId = Buffer.from(match[1], 'base64url').toString('utf8');
  return Buffer.from(deviceId, 'utf8').toString('base64url') === match[1] ? deviceId : undefined;
}

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export function tokenRecord(token: string, now: Date): TokenRecord {
  return { v: 1, sha256: sha256(token).toString('hex'), createdAt: now.toISOString() };
}

/** Constant-time comparison of a presented token with the stored record (a malformed record never matches). */
export function tokenMatches(token: string, storedJson: string): boolean {
  let record: Partial<TokenRecord> | null;
  try {
    record = JSON.parse(storedJson) as Partial<TokenRecord> | null;
  } catch {
    return false;
  }
  if (
    record === null ||
    typeof record !== 'object' ||
    record.v !== 1 ||
    typeof record.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(record.sha256)
  )
    return false;
  return timingSafeEqual(sha256(token), Buffer.from(record.sha256, 'hex'));
}

/**
 * SSM parameter holding a device's token record. SSM names allow [a-zA-Z0-9_.-/]: the ':' a device id may hold becomes
 * '.', which device ids never contain, so two devices never share a name.
 */
export function tokenParameterName(prefix: string, deviceId: string): string {
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}${deviceId.toLowerCase().replaceAll(':', '.')}`;
}
