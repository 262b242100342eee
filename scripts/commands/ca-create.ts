import { createFleetCa, isTenantId, TENANT_KEY_ALGORITHMS } from '../../certs/fleet.js';
import { parseCertificate } from '../../certs/parse.js';
import { PROFILES } from '../../certs/profiles.js';
import { summarizeCertificate } from '../../certs/summary.js';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { oneOf, optionalInteger, optionalString, requiredString } from '../cli/flags.js';
import { asInputErrors, CA_FILES, refuseExisting, writeOutputFiles } from './ca-files.js';

export const command: Command = {
  path: ['ca', 'create'],
  summary: 'Create a fleet CA (azure-sphere tenant CA, microchip root + signer, or a generic root)',
  usage:
    'Usage: jitr ca create --profile <azure-sphere|microchip|generic> --out DIR [--name CN] [--tenant-id GUID] [--key-algorithm P-384|P-256] [--days N] [--json]',
  description:
    'Makes a CA to try the pipeline with, shaped like the real one of the profile: an Azure Sphere tenant CA ("Microsoft Azure Sphere <tenant GUID>"), a Microchip root and signer (pathlen 0), or a generic root. The private key is written readable by its owner only; existing files are never overwritten (losing a CA key orphans its devices).',
  flags: {
    profile: 'azure-sphere, microchip or generic (required)',
    out: 'directory for ca.cert.pem and ca.key.pem (microchip: also root.cert.pem, root.key.pem) (required)',
    name: "Subject CN of the CA (default: the profile's usual name)",
    'tenant-id': 'azure-sphere only: the tenant GUID (default: a random one)',
    'key-algorithm': 'azure-sphere only: the tenant CA key, P-384 or P-256 (default: P-384)',
    days: 'validity in days (default: 3650)',
  },
  examples: [
    'jitr ca create --profile azure-sphere --out .jitr/ca',
    'jitr ca create --profile microchip --out .jitr/microchip --days 365',
  ],
  options: {
    profile: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    'tenant-id': { type: 'string' },
    'key-algorithm': { type: 'string' },
    days: { type: 'string' },
  },
  async run(input) {
    const profile = oneOf(input, 'profile', PROFILES);
    if (!profile) throw new UsageError(`--profile is required\n${this.usage}`);
    const out = requiredString(input, 'out');
    const commonName = optionalString(input, 'name');
    if (commonName !== undefined && commonName.trim() === '') throw new UsageError('--name must not be empty');
    const tenantId = optionalString(input, 'tenant-id');
    if (tenantId !== undefined && profile !== 'azure-sphere')
      throw new UsageError('--tenant-id applies to --profile azure-sphere only');
    if (tenantId !== undefined && !isTenantId(tenantId))
      throw new UsageError(`--tenant-id must be a GUID, got "${tenantId}"`);
    const keyAlgorithm = oneOf(input, 'key-algorithm', TENANT_KEY_ALGORITHMS);
    if (keyAlgorithm !== undefined && profile !== 'azure-sphere')
      throw new UsageError('--key-algorithm applies to --profile azure-sphere only');
    const days = optionalInteger(input, 'days', { min: 1, max: 36_500 });

    const names = profile === 'microchip' ? Object.values(CA_FILES) : [CA_FILES.certificate, CA_FILES.key];
    refuseExisting(out, names);
    const fleet = await asInputErrors(() =>
      createFleetCa(profile, {
        ...(tenantId !== undefined ? { tenantId } : {}),
        ...(keyAlgorithm !== undefined ? { keyAlgorithm } : {}),
        ...(commonName !== undefined ? { commonName } : {}),
        ...(days !== undefined ? { days } : {}),
      }),
    );
    const files: { name: string; content: string; secret?: boolean }[] = [
      { name: CA_FILES.certificate, content: fleet.certificatePem },
      { name: CA_FILES.key, content: fleet.privateKeyPem, secret: true },
    ];
    if (fleet.root) {
      files.push({ name: CA_FILES.rootCertificate, content: fleet.root.certificatePem });
      files.push({ name: CA_FILES.rootKey, content: fleet.root.privateKeyPem, secret: true });
    }
    const written = writeOutputFiles(out, files);
    const summary = summarizeCertificate(parseCertificate(fleet.certificatePem));
    const data = {
      profile,
      certificateId: fleet.certificateId,
      subject: summary.subject,
      notAfter: summary.notAfter,
      ...(fleet.tenantId !== undefined ? { tenantId: fleet.tenantId } : {}),
      ...(fleet.root ? { rootCertificateId: fleet.root.certificateId } : {}),
      files: written,
    };
    const human = [
      `Created ${profile} CA "${summary.subject}"`,
      `  certificateId  ${fleet.certificateId}`,
      ...(fleet.tenantId !== undefined ? [`  tenant         ${fleet.tenantId}`] : []),
      ...(fleet.root ? [`  root           ${fleet.root.certificateId}`] : []),
      `  valid until    ${summary.notAfter}`,
      ...Object.values(written).map((path) => `  wrote          ${path}`),
    ].join('\n');
    return { data, human };
  },
};
