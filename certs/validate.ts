import type { KeyObject } from 'node:crypto';
import type { DenyList } from './deny.js';
import { normaliseSerialNumber } from './deny.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  type CertificateFields,
  CLIENT_AUTH,
  extendedKeyUsages,
  fieldsOf,
  formatName,
  mayIssueCertificates,
  sameName,
  subjectKeyIdentifier,
} from './fields.js';
import { type LoadedCertificate, parseCertificates } from './parse.js';
import { keyPolicyProblem } from './key-policy.js';
import { identifyDevice, type ProfileConfig } from './profiles.js';
import { type Reason, reason } from './reasons.js';
import { publicKeyFromSpki, verifyCertificateSignature } from './signature.js';

export type CertificateInput = string | Uint8Array | LoadedCertificate;

export interface ValidationInput {
  /** The device certificate; when a bundle, the certificates after the first serve as intermediates. */
  certificate: CertificateInput;
  /** The trusted CA (the one registered with AWS IoT): the chain must end at it. */
  issuer: CertificateInput;
  /** Certificates that may link the device certificate to `issuer` (in any order). */
  intermediates?: CertificateInput | readonly CertificateInput[];
  profile: ProfileConfig;
  /** The check date: validation never reads the clock. */
  at: Date;
  /** Tolerance on both ends of every validity period; default 5 minutes. */
  clockSkewMs?: number;
  deny?: DenyList;
}

export interface ValidationResult {
  verdict: 'accept' | 'reject';
  /** Every reason that applies, not only the first; empty when accepted. */
  reasons: Reason[];
  /** The device certificate's AWS certificateId; '' when it could not be read at all. */
  certificateId: string;
  deviceId?: string;
  thingName?: string;
  /** azure-sphere: the tenant GUID of the issuing CA. */
  tenantId?: string;
}

/** A parsed certificate plus what validation derives from it, cached per loaded object (the issuer is reused). */
interface Prepared {
  loaded: LoadedCertificate;
  fields: CertificateFields;
  publicKey?: KeyObject | null;
}

export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;
const MAX_CHAIN_LENGTH = 8;
const prepared = new WeakMap<LoadedCertificate, Prepared>();

function prepare(loaded: LoadedCertificate): Prepared {
  let entry = prepared.get(loaded);
  if (!entry) {
    entry = { loaded, fields: fieldsOf(loaded.der) };
    prepared.set(loaded, entry);
  }
  return entry;
}

function publicKeyOf(entry: Prepared): KeyObject | undefined {
  if (entry.publicKey === undefined) entry.publicKey = publicKeyFromSpki(entry.fields.subjectPublicKeyInfo) ?? null;
  return entry.publicKey ?? undefined;
}

function loadAll(input: CertificateInput): LoadedCertificate[] {
  return typeof input === 'string' || input instanceof Uint8Array ? parseCertificates(input) : [input];
}

function label(entry: Prepared, role: string): string {
  return `${role} "${formatName(entry.fields.subject)}"`;
}

function checkValidity(entry: Prepared, role: string, at: number, skew: number, reasons: Reason[]): void {
  const { notBefore, notAfter } = entry.fields;
  if (at + skew < notBefore.getTime()) {
    reasons.push(reason('NOT_YET_VALID', `${label(entry, role)} is not valid before ${notBefore.toISOString()}`));
  }
  if (at - skew > notAfter.getTime()) {
    reasons.push(reason('EXPIRED', `${label(entry, role)} expired at ${notAfter.toISOString()}`));
  }
}

/** OpenSSL's notion of "issued by": the issuer name matches the parent's subject, and the key identifiers agree if both exist. */
function issuedBy(child: Prepared, parent: Prepared): boolean {
  if (!sameName(child.fields, parent.fields)) return false;
  const authorityKeyId = authorityKeyIdentifier(child.fields);
  const parentKeyId = subjectKeyIdentifier(parent.fields);
  return authorityKeyId === undefined || parentKeyId === undefined || authorityKeyId === parentKeyId;
}

function signedBy(child: Prepared, parent: Prepared): boolean {
  const key = publicKeyOf(parent);
  return key !== undefined && verifyCertificateSignature(child.loaded, child.fields, key);
}

/** What a certificate on the path is called in messages. */
function roleOf(entry: Prepared, leaf: Prepared, anchor: Prepared): string {
  return entry === leaf ? 'certificate' : entry === anchor ? 'CA' : 'intermediate';
}

/**
 * Walks from the device certificate to the trusted issuer through the intermediates: links are found by name and key
 * identifier, then every signature on the path is verified and every certificate's dates and CA constraints checked.
 */
function checkChain(
  leaf: Prepared,
  anchor: Prepared,
  pool: Prepared[],
  at: number,
  skew: number,
  reasons: Reason[],
): void {
  const path = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const parent = issuedBy(current, anchor)
      ? anchor
      : pool.find((candidate) => !path.includes(candidate) && issuedBy(current, candidate));
    if (!parent) {
      const issuer = formatName(current.fields.issuer);
      const trusted = formatName(anchor.fields.subject);
      reasons.push(
        reason(
          'ISSUER_MISMATCH',
          `${label(current, roleOf(current, leaf, anchor))} was issued by "${issuer}", which does not chain to the trusted CA "${trusted}"`,
        ),
      );
      return;
    }
    if (!signedBy(current, parent)) {
      reasons.push(
        reason(
          'SIGNATURE_INVALID',
          `the signature of ${label(current, roleOf(current, leaf, anchor))} does not verify with the key of "${formatName(parent.fields.subject)}"`,
        ),
      );
    }
    checkIssuerConstraints(parent, parent === anchor ? 'CA' : 'intermediate', path.length - 1, reasons);
    path.push(parent);
    checkValidity(parent, roleOf(parent, leaf, anchor), at, skew, reasons);
    if (parent === anchor) return;
    current = parent;
  }
  reasons.push(reason('ISSUER_MISMATCH', `the chain is longer than ${MAX_CHAIN_LENGTH} certificates`));
}

/** A certificate that signs another must be allowed to: a CA (the trusted one is trusted as configured), within its path length. */
function checkIssuerConstraints(parent: Prepared, role: string, below: number, reasons: Reason[]): void {
  const constraints = basicConstraints(parent.fields);
  if (role !== 'CA' && !constraints.ca) {
    reasons.push(reason('ISSUER_MISMATCH', `${label(parent, role)} is not a CA certificate`));
  }
  if (!mayIssueCertificates(parent.fields)) {
    reasons.push(
      reason('ISSUER_MISMATCH', `${label(parent, role)} has a key usage that does not allow signing certificates`),
    );
  }
  if (constraints.pathLength !== undefined && below > constraints.pathLength) {
    reasons.push(
      reason(
        'ISSUER_MISMATCH',
        `${label(parent, role)} allows ${constraints.pathLength} intermediate(s) below it, the chain has ${below}`,
      ),
    );
  }
}

function checkLeafPolicy(leaf: Prepared, reasons: Reason[]): void {
  if (basicConstraints(leaf.fields).ca) {
    reasons.push(
      reason(
        'CA_CERTIFICATE_AS_DEVICE',
        'the certificate is a CA certificate (basicConstraints CA:TRUE), not a device',
      ),
    );
  }
  const keyProblem = keyPolicyProblem(leaf.fields.subjectPublicKeyInfo);
  if (keyProblem) reasons.push(keyProblem);
  const usages = extendedKeyUsages(leaf.fields);
  if (usages !== undefined && !usages.includes(CLIENT_AUTH)) {
    reasons.push(
      reason(
        'EKU_NOT_CLIENT_AUTH',
        `the extended key usage (${usages.join(', ') || 'empty'}) does not include clientAuth`,
      ),
    );
  }
}

function checkDenied(
  leaf: Prepared,
  identity: { deviceId?: string; thingName?: string },
  deny: DenyList,
  reasons: Reason[],
): void {
  const deviceId = identity.deviceId?.toLowerCase();
  if ((deviceId && deny.deviceIds.has(deviceId)) || (identity.thingName && deny.deviceIds.has(identity.thingName))) {
    reasons.push(reason('DENIED', `device ${identity.thingName ?? deviceId} is on the deny list`));
  }
  if (deny.serialNumbers.has(normaliseSerialNumber(leaf.fields.serialNumber))) {
    reasons.push(reason('DENIED', `serial number ${leaf.fields.serialNumber} is on the deny list`));
  }
  if (deny.certificateIds.has(leaf.loaded.certificateId)) {
    reasons.push(reason('DENIED', `certificate ${leaf.loaded.certificateId} is on the deny list`));
  }
}

function malformed(message: string, certificateId = ''): ValidationResult {
  return { verdict: 'reject', reasons: [reason('MALFORMED_CERTIFICATE', message)], certificateId };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Validates a device certificate against the trusted CA, the fleet's identity profile and the deny list. Pure and total:
 * it never throws and never reads the clock; it reports every reason that applies.
 */
export function validateDeviceCertificate(input: ValidationInput): ValidationResult {
  let first: LoadedCertificate | undefined;
  let extra: LoadedCertificate[];
  try {
    [first, ...extra] = loadAll(input.certificate);
  } catch (error) {
    return malformed(`device certificate: ${errorMessage(error)}`);
  }
  if (!first) return malformed('the input holds no certificate');
  const certificateId = first.certificateId;
  let leaf: Prepared;
  try {
    leaf = prepare(first);
  } catch (error) {
    return malformed(`device certificate: ${errorMessage(error)}`, certificateId);
  }
  let anchor: Prepared;
  let pool: Prepared[];
  try {
    const [trusted] = loadAll(input.issuer);
    if (!trusted) return malformed('the issuer input holds no certificate', certificateId);
    anchor = prepare(trusted);
    const intermediates =
      input.intermediates === undefined
        ? []
        : Array.isArray(input.intermediates)
          ? input.intermediates
          : [input.intermediates];
    pool = [...extra, ...(intermediates as CertificateInput[]).flatMap(loadAll)].map(prepare);
  } catch (error) {
    return malformed(`issuer or intermediate certificate: ${errorMessage(error)}`, certificateId);
  }

  try {
    const reasons: Reason[] = [];
    const at = input.at.getTime();
    const skew = input.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
    checkChain(leaf, anchor, pool, at, skew, reasons);
    checkValidity(leaf, 'certificate', at, skew, reasons);
    // Fail closed: with no valid check date no validity period can be established.
    if (Number.isNaN(at)) reasons.push(reason('NOT_YET_VALID', 'the check date is not a valid date'));
    checkLeafPolicy(leaf, reasons);
    const identity = identifyDevice(input.profile, leaf.fields);
    reasons.push(...identity.reasons);
    if (input.deny) checkDenied(leaf, identity, input.deny, reasons);
    return {
      verdict: reasons.length === 0 ? 'accept' : 'reject',
      reasons,
      certificateId,
      ...(identity.deviceId !== undefined ? { deviceId: identity.deviceId } : {}),
      ...(identity.thingName !== undefined ? { thingName: identity.thingName } : {}),
      ...(identity.tenantId !== undefined ? { tenantId: identity.tenantId } : {}),
    };
  } catch (error) {
    // A certificate Node could load but with an extension we cannot read (a malformed SKI, EKU, basicConstraints).
    return malformed(`device certificate: ${errorMessage(error)}`, certificateId);
  }
}
