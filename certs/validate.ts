import type { DenyList } from './deny.js';
import { normaliseSerialNumber } from './deny.js';
import { basicConstraints, CLIENT_AUTH, extendedKeyUsages } from './fields.js';
import { type LoadedCertificate, parseCertificates } from './parse.js';
import { keyPolicyProblem } from './key-policy.js';
import { checkPath, label, type Prepared, prepare } from './path.js';
import { identifyDevice, type ProfileConfig } from './profiles.js';
import { type Reason, reason } from './reasons.js';

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

export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;

function loadAll(input: CertificateInput): LoadedCertificate[] {
  return typeof input === 'string' || input instanceof Uint8Array ? parseCertificates(input) : [input];
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
    checkPath(leaf, anchor, pool, reasons, {
      checkValidity: (entry, role) => checkValidity(entry, role, at, skew, reasons),
    });
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
