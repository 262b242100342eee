import { createHash } from 'node:crypto';
import { attributeValues, type CertificateFields, readCertificateFields, subjectKeyIdentifier } from './fields.js';
import type { LoadedCertificate } from './parse.js';
import { type Reason, reason } from './reasons.js';
import { subjectPublicKeyBits } from './spki.js';

export const PROFILES = ['azure-sphere', 'microchip', 'generic'] as const;
export type ProfileName = (typeof PROFILES)[number];

/** How a fleet names its devices. `tenantId` applies to azure-sphere, `pattern` (a regular expression) to generic. */
export interface ProfileConfig {
  profile: ProfileName;
  tenantId?: string;
  pattern?: string;
}

export interface DeviceIdentity {
  deviceId?: string;
  thingName?: string;
  /** azure-sphere: the tenant GUID read from the issuer CN. */
  tenantId?: string;
  reasons: Reason[];
}

const THING_NAME = /^[a-z0-9:_-]{1,128}$/;
/** Device ids of every profile: ASCII letters, digits, ':', '_' and '-' (what AWS allows in a thing name), nothing else. */
const DEVICE_ID = /^[A-Za-z0-9:_-]{1,128}$/;
const ASCII = /^\p{ASCII}*$/u;
const AZURE_SPHERE_DEVICE_ID = /^[0-9a-fA-F]{128}$/;
const AZURE_SPHERE_ISSUER =
  /^Microsoft Azure Sphere ([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

/**
 * A thing name from a device id: the id must be `[A-Za-z0-9:_-]{1,128}` (checked before any case mapping, so no
 * Unicode character can lowercase into it: the Kelvin sign U+212A lowercases to "k"), and the name is its ASCII
 * lowercase. Ids that differ only by case share a name; the Thing records the exact id it was made for
 * (`jitr_device_id`) and onboarding refuses any other (functions/onboard/decide.ts).
 */
export function normaliseThingName(deviceId: string): string | undefined {
  return DEVICE_ID.test(deviceId) ? deviceId.toLowerCase() : undefined;
}

/**
 * The ASCII thing name a non-ASCII id turns into under Unicode compatibility and case folding (NFKC, lowercase), when
 * it does: such an id is a look-alike of another device's id (fullwidth letters, the Kelvin sign, ...).
 */
export function foldedLookAlike(deviceId: string): string | undefined {
  if (ASCII.test(deviceId)) return undefined;
  const folded = deviceId.normalize('NFKC').toLowerCase();
  return THING_NAME.test(folded) ? folded : undefined;
}

function onlyCommonName(fields: CertificateFields, reasons: Reason[]): string | undefined {
  const names = attributeValues(fields.subject, 'CN');
  if (names.length === 0 || names[0] === '') {
    reasons.push(reason('DEVICE_ID_MISSING', 'the subject has no common name (CN) to take the device id from'));
    return undefined;
  }
  if (names.length > 1) {
    reasons.push(
      reason('DEVICE_ID_INVALID', `the subject has ${names.length} common names; the device id is ambiguous`),
    );
    return undefined;
  }
  return names[0];
}

function withThingName(deviceId: string, reasons: Reason[], extra: Partial<DeviceIdentity> = {}): DeviceIdentity {
  const thingName = normaliseThingName(deviceId);
  if (!thingName) {
    const lookAlike = foldedLookAlike(deviceId);
    reasons.push(
      reason(
        'DEVICE_ID_INVALID',
        `device id "${printable(deviceId)}" is not [A-Za-z0-9:_-]{1,128} (ASCII only)` +
          (lookAlike ? `; it folds to "${lookAlike}" (a look-alike)` : ''),
      ),
    );
    return { deviceId, ...extra, reasons };
  }
  return { deviceId, thingName, ...extra, reasons };
}

/** Keeps messages one line and bounded whatever a certificate's subject holds. */
function printable(value: string): string {
  const shown = value.replace(/[^\x20-\x7e]/g, '?');
  return shown.length > 160 ? `${shown.slice(0, 157)}...` : shown;
}

function azureSphere(config: ProfileConfig, fields: CertificateFields): DeviceIdentity {
  const reasons: Reason[] = [];
  const issuerNames = attributeValues(fields.issuer, 'CN');
  const tenant =
    issuerNames.length === 1 ? AZURE_SPHERE_ISSUER.exec(issuerNames[0] ?? '')?.[1]?.toLowerCase() : undefined;
  if (!tenant) {
    reasons.push(
      reason(
        'TENANT_MISMATCH',
        `issuer CN "${printable(issuerNames.join(', '))}" is not "Microsoft Azure Sphere <tenant GUID>"`,
      ),
    );
  } else if (config.tenantId !== undefined && config.tenantId.toLowerCase() !== tenant) {
    reasons.push(
      reason('TENANT_MISMATCH', `tenant ${tenant} is not the expected tenant ${config.tenantId.toLowerCase()}`),
    );
  }
  const extra = tenant ? { tenantId: tenant } : {};
  const commonName = onlyCommonName(fields, reasons);
  if (commonName === undefined) return { ...extra, reasons };
  if (!AZURE_SPHERE_DEVICE_ID.test(commonName)) {
    reasons.push(reason('DEVICE_ID_INVALID', `CN "${printable(commonName)}" is not a 128-hex Azure Sphere device id`));
    return { ...extra, reasons };
  }
  // Hex has no case: the device id is normalised to lowercase, so every daily certificate of a device names it alike.
  return withThingName(commonName.toLowerCase(), reasons, extra);
}

function microchip(fields: CertificateFields): DeviceIdentity {
  const reasons: Reason[] = [];
  // RFC 5280 method 1 is what Microchip's signers write; computing it when the extension is absent keeps the name stable.
  const keyId =
    subjectKeyIdentifier(fields) ??
    createHash('sha1').update(subjectPublicKeyBits(fields.subjectPublicKeyInfo)).digest('hex');
  if (keyId === '') {
    reasons.push(reason('DEVICE_ID_INVALID', 'the Subject Key Identifier is empty'));
    return { reasons };
  }
  return withThingName(keyId, reasons);
}

const patternCache = new Map<string, RegExp | Error>();

function compiledPattern(pattern: string): RegExp | Error {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(pattern, 'u');
    } catch (error) {
      compiled = error instanceof Error ? error : new Error(String(error));
    }
    if (patternCache.size > 100) patternCache.clear();
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

/** Checks a generic-profile pattern up front (the CLI does, to fail with a usage error instead of a rejection). */
export function patternError(pattern: string): string | undefined {
  const compiled = compiledPattern(pattern);
  return compiled instanceof Error ? compiled.message : undefined;
}

function generic(config: ProfileConfig, fields: CertificateFields): DeviceIdentity {
  const reasons: Reason[] = [];
  const commonName = onlyCommonName(fields, reasons);
  if (commonName === undefined) return { reasons };
  if (config.pattern === undefined) return withThingName(commonName, reasons);
  const pattern = compiledPattern(config.pattern);
  if (pattern instanceof Error) {
    reasons.push(
      reason('DEVICE_ID_INVALID', `the device id pattern is not a valid regular expression: ${pattern.message}`),
    );
    return { reasons };
  }
  const match = pattern.exec(commonName);
  // A named group `id` wins, then the first group, then the whole match.
  const deviceId = match ? (match.groups?.id ?? match[1] ?? match[0]) : undefined;
  if (deviceId === undefined || deviceId === '') {
    reasons.push(
      reason(
        'DEVICE_ID_INVALID',
        `CN "${printable(commonName)}" does not match the device id pattern ${config.pattern}`,
      ),
    );
    return { reasons };
  }
  return withThingName(deviceId, reasons);
}

/** The device's identity under its fleet's profile, with the reasons it is unacceptable if it is. */
export function identifyDevice(config: ProfileConfig, fields: CertificateFields): DeviceIdentity {
  if (config.profile === 'azure-sphere') return azureSphere(config, fields);
  if (config.profile === 'microchip') return microchip(fields);
  return generic(config, fields);
}

/**
 * The thing name a certificate maps to under a profile, or undefined when its device id is missing or invalid
 * (issuer and tenant are validation's business). Throws MalformedCertificateError for an unreadable certificate.
 */
export function thingNameFor(
  profile: ProfileConfig | ProfileName,
  certificate: LoadedCertificate | CertificateFields,
): string | undefined {
  const config = typeof profile === 'string' ? { profile } : profile;
  const fields = 'der' in certificate ? readCertificateFields(certificate.der) : certificate;
  return identifyDevice(config, fields).thingName;
}
