import { CertificateError } from './errors.js';

/** Devices that must never be onboarded, normalised for constant-time lookups on the hot path. */
export interface DenyList {
  /** Lowercase device ids (and thing names). */
  deviceIds: ReadonlySet<string>;
  /** Lowercase hex serial numbers without separators or leading zeros. */
  serialNumbers: ReadonlySet<string>;
  /** Lowercase certificateIds. */
  certificateIds: ReadonlySet<string>;
}

export interface DenyListInput {
  deviceIds?: Iterable<string>;
  serialNumbers?: Iterable<string>;
  certificateIds?: Iterable<string>;
}

/** `01:AB:cd` and `0x1abcd` and `1ABCD` all name the same serial number. */
export function normaliseSerialNumber(serial: string): string {
  const digits = serial
    .trim()
    .toLowerCase()
    .replace(/^0x/, '')
    .replace(/[\s:]/g, '')
    .replace(/^0+(?=.)/, '');
  return digits;
}

export function createDenyList(input: DenyListInput = {}): DenyList {
  const lower = (values: Iterable<string> | undefined) =>
    new Set([...(values ?? [])].map((v) => v.trim().toLowerCase()));
  return {
    deviceIds: lower(input.deviceIds),
    serialNumbers: new Set([...(input.serialNumbers ?? [])].map(normaliseSerialNumber)),
    certificateIds: lower(input.certificateIds),
  };
}

const KEYS = ['deviceIds', 'serialNumbers', 'certificateIds'] as const;

/**
 * Reads a deny list file: JSON `{ "deviceIds": [...], "serialNumbers": [...], "certificateIds": [...] }` (every key
 * optional). Throws CertificateError INVALID_DENY_LIST for anything else.
 */
export function parseDenyList(text: string): DenyList {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CertificateError('INVALID_DENY_LIST', 'the deny list is not valid JSON', { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new CertificateError('INVALID_DENY_LIST', `the deny list must be a JSON object with ${KEYS.join(', ')}`);
  }
  const record = document as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter((key) => !(KEYS as readonly string[]).includes(key));
  if (unknownKeys.length > 0) {
    throw new CertificateError('INVALID_DENY_LIST', `the deny list has unknown keys: ${unknownKeys.join(', ')}`);
  }
  const input: DenyListInput = {};
  for (const key of KEYS) {
    const values = record[key];
    if (values === undefined) continue;
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) {
      throw new CertificateError('INVALID_DENY_LIST', `the deny list's ${key} must be an array of strings`);
    }
    input[key] = values;
  }
  return createDenyList(input);
}
