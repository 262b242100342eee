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
    'Usage: jitr cert inspect CERT --ca CA_CERT [--profile <azure-sphere|microchip|generic>] [--tenant-id GUID] [--pattern REGEX] [--deny FILE] [--at ISO] [--json]',
  description:
    "Prints a device certificate's fields, its device id and Thing name, and the verdict the onboarding Lambda would reach with the given CA and profile, with the reason codes of a rejection. Reads files only: no AWS call. Exit 0 when accepted, 3 when rejected.",
  flags: {
    ca: 'the issuing CA certificate (PEM or DER) (required)',
    profile: 'azure-sphere, microchip or generic (default: generic)',
    'tenant-id': 'azure-sphere only: the tenant the CA must belong to (default: any)',
    pattern: 'generic only: regular expression taking the device id from the CN (default: the whole CN)',
    deny: 'a deny list file: device ids and certificateIds, one a line (default: none)',
    at: 'check validity at this ISO-8601 instant (default: now)',
  },
  examples: ['jitr cert inspect .jitr/device1/device.cert.pem --ca .jitr/ca/ca.cert.pem --profile azure-sphere'],
  options: {
    ca: { type: 'string' },
    profile: { type: 'string' },
    'tenant-id': { type: 'string' },
    pattern: { type: 'string' },
    deny: { type: 'string' },
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

    const summary = summarizeCertificate(leaf!);
    const result = validateDeviceCertificate({
      certificate: leaf!,
      issuer: trusted!,
      intermediates,
      profile,
      at,
      ...(deny ? { deny } : {}),
    });
    const data = {
      ...summary,
      deviceId: result.deviceId ?? null,
      thingName: result.thingName ?? null,
      verdict: result.verdict,
      reasons: result.reasons,
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
      ['verdict', `${result.verdict.toUpperCase()} (profile ${profile.profile}, checked at ${at.toISOString()})`],
    ];
    const human = [
      ...rows.map(([key, value]) => `${key.padEnd(14)} ${value}`),
      ...result.reasons.map((reason) => `  - ${reason.code}: ${reason.message}`),
    ].join('\n');
    return { data, human, exitCode: result.verdict === 'accept' ? ExitCode.ok : ExitCode.rejected };
  },
};
