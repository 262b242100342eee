import { type CrlVerdict, crlVerdict } from '../../certs/crl-verdict.js';
import { type DenyList, parseDenyList } from '../../certs/deny.js';
import { CertificateError } from '../../certs/errors.js';
import { isTenantId } from '../../certs/fleet.js';
import { type LoadedCertificate, parseCertificates } from '../../certs/parse.js';
import { PROFILES, type ProfileConfig, patternError } from '../../certs/profiles.js';
import { summarizeCertificate } from '../../certs/summary.js';
import { validateDeviceCertificate } from '../../certs/validate.js';
import type { Command } from '../cli/command.js';
import { ExitCode, InputError, UsageError } from '../cli/errors.js';
import { oneOf, optionalDate, optionalString, requiredString } from '../cli/flags.js';
import { readInputBytes, readInputFile } from './ca-files.js';

function loadCertificates(path: string, what: string): LoadedCertificate[] {
  const bytes = readInputBytes(path, what);
  try {
    return parseCertificates(bytes);
  } catch (error) {
    throw new InputError('MALFORMED_CERTIFICATE', `${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function loadDenyList(path: string): DenyList {
  try {
    return parseDenyList(readInputFile(path, 'deny list'));
  } catch (error) {
    if (error instanceof CertificateError)
      throw new InputError(error.code, `${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

function profileConfig(input: Parameters<Command['run']>[0]): ProfileConfig {
  const profile = oneOf(input, 'profile', PROFILES) ?? 'generic';
  const tenantId = optionalString(input, 'tenant-id');
  const pattern = optionalString(input, 'pattern');
  if (tenantId !== undefined && profile !== 'azure-sphere')
    throw new UsageError('--tenant-id applies to --profile azure-sphere only');
  if (tenantId !== undefined && !isTenantId(tenantId))
    throw new UsageError(`--tenant-id must be a GUID, got "${tenantId}"`);
  if (pattern !== undefined && profile !== 'generic')
    throw new UsageError('--pattern applies to --profile generic only');
  const invalid = pattern !== undefined ? patternError(pattern) : undefined;
  if (invalid !== undefined) throw new UsageError(`--pattern is not a valid regular expression: ${invalid}`);
  return { profile, ...(tenantId !== undefined ? { tenantId } : {}), ...(pattern !== undefined ? { pattern } : {}) };
}

export const command: Command = {
  path: ['cert', 'inspect'],
  summary: 'Show a device certificate and whether the onboarding Lambda would accept it',
  usage:
    'Usage: jitr cert inspect CERT --ca CA_CERT [--profile <azure-sphere|microchip|generic>] [--tenant-id GUID] [--pattern REGEX] [--deny FILE] [--crl FILE] [--at ISO] [--json]',
  description:
    "Prints a device certificate's fields, its device id and Thing name, and the verdict the onboarding Lambda would reach with the given CA and profile, with the reason codes of a rejection. Reads files only: no AWS call. Exit 0 when accepted, 3 when rejected.",
  flags: {
    ca: 'the issuing CA certificate (PEM or DER) (required)',
    profile: 'azure-sphere, microchip or generic (default: generic)',
    'tenant-id': 'azure-sphere only: the tenant the CA must belong to (default: any)',
    pattern: 'generic only: regular expression taking the device id from the CN (default: the whole CN)',
    deny: 'a deny list file: device ids and certificateIds, one a line (default: none)',
    crl: "a CRL of the certificate's issuer (PEM, DER or base64): refused when it lists the certificate or cannot be trusted (default: none)",
    at: 'check validity at this ISO-8601 instant (default: now)',
  },
  examples: [
    'jitr cert inspect .jitr/device1/device.cert.pem --ca .jitr/ca/ca.cert.pem --profile azure-sphere',
    'jitr cert inspect device.cert.pem --ca ca.cert.pem --crl ca.crl.pem',
  ],
  options: {
    ca: { type: 'string' },
    profile: { type: 'string' },
    'tenant-id': { type: 'string' },
    pattern: { type: 'string' },
    deny: { type: 'string' },
    crl: { type: 'string' },
    at: { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(input) {
    const certificatePath = input.positionals[0]!;
    const caPath = requiredString(input, 'ca');
    const profile = profileConfig(input);
    const at = optionalDate(input, 'at') ?? new Date();
    const denyPath = optionalString(input, 'deny');
    const deny = denyPath !== undefined ? loadDenyList(denyPath) : undefined;
    const [leaf, ...intermediates] = loadCertificates(certificatePath, 'certificate');
    const [trusted] = loadCertificates(caPath, 'CA certificate');

    const crlPath = optionalString(input, 'crl');
    // The CRL is the leaf's issuer's: the first intermediate of the bundle, else the trusted CA.
    const crl =
      crlPath !== undefined
        ? crlVerdict(readInputBytes(crlPath, 'CRL'), (intermediates[0] ?? trusted!).der, leaf!.der, at)
        : undefined;
    const summary = summarizeCertificate(leaf!);
    const result = validateDeviceCertificate({
      certificate: leaf!,
      issuer: trusted!,
      intermediates,
      profile,
      at,
      ...(deny ? { deny } : {}),
    });
    const reasons: { code: string; message: string }[] = [...result.reasons];
    const crlReason = crl ? crlRefusal(crl) : undefined;
    if (crlReason) reasons.push(crlReason);
    const verdict = reasons.length === 0 ? 'accept' : 'reject';
    const data = {
      ...summary,
      deviceId: result.deviceId ?? null,
      thingName: result.thingName ?? null,
      verdict,
      reasons,
      ...(crl ? { crl } : {}),
    };
    const rows: [string, string][] = [
      ['certificateId', summary.certificateId],
      ['subject', summary.subject],
      ['issuer', summary.issuer],
      ['serialNumber', summary.serialNumber],
      ['notBefore', summary.notBefore],
      ['notAfter', summary.notAfter],
      ['keyType', summary.keyType],
      ['isCa', String(summary.isCa)],
      ['deviceId', result.deviceId ?? '-'],
      ['thingName', result.thingName ?? '-'],
      ...(crl ? [['crl', crlLine(crl)] as [string, string]] : []),
      ['verdict', `${verdict.toUpperCase()} (profile ${profile.profile}, checked at ${at.toISOString()})`],
    ];
    const human = [
      ...rows.map(([key, value]) => `${key.padEnd(14)} ${value}`),
      ...reasons.map((reason) => `  - ${reason.code}: ${reason.message}`),
    ].join('\n');
    return { data, human, exitCode: verdict === 'accept' ? ExitCode.ok : ExitCode.rejected };
  },
};

/** A listed certificate is refused; a CRL that cannot be trusted holds the device back on a failClosed CA. */
function crlRefusal(crl: CrlVerdict): { code: string; message: string } | undefined {
  if (crl.status === 'revoked') {
    return {
      code: 'CERTIFICATE_REVOKED_BY_CA',
      message: `serial ${crl.serialNumber} is on the CA's CRL since ${crl.revokedAt}, reason ${crl.reason}`,
    };
  }
  if (crl.status === 'unknown') {
    return { code: crl.code, message: `${crl.message} (a failClosed CA holds the device back; failOpen onboards it)` };
  }
  return undefined;
}

function crlLine(crl: CrlVerdict): string {
  if (crl.status === 'good') return `not revoked (CRL ${crl.crlNumber ?? '-'}, next update ${crl.nextUpdate})`;
  if (crl.status === 'revoked') return `REVOKED ${crl.revokedAt} (${crl.reason})`;
  return `unusable: ${crl.code}`;
}
