import { issueFleetDevice } from '../../certs/fleet.js';
import { PROFILES } from '../../certs/profiles.js';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { oneOf, optionalDate, optionalInteger, optionalString, requiredString } from '../cli/flags.js';
import { asInputErrors, readCaDir, readInputFile, writeOutputFiles } from './ca-files.js';

export const DEVICE_FILES = {
  key: 'device.key.pem',
  certificate: 'device.cert.pem',
  chain: 'device.chain.pem',
} as const;

export const command: Command = {
  path: ['device', 'issue'],
  summary: 'Issue a device certificate of a profile from a CA directory (fresh key or --csr)',
  usage:
    'Usage: jitr device issue --ca DIR --profile <azure-sphere|microchip|generic> --out DIR [--device-id ID] [--days N] [--not-before ISO] [--csr FILE] [--json]',
  description:
    "Issues one device certificate from a CA directory, shaped like the profile's real devices (azure-sphere: CN = 128-hex device id, valid one day; microchip: O=Microchip Technology Inc, CN=sn<serial>; generic: CN = device id). Writes device.key.pem (unless --csr), device.cert.pem and device.chain.pem (device + CA) into --out.",
  flags: {
    ca: 'CA directory holding ca.cert.pem and ca.key.pem (required)',
    profile: 'azure-sphere, microchip or generic (required)',
    out: 'directory for device.cert.pem, device.chain.pem and device.key.pem (required)',
    'device-id': "the device id (default: a random one of the profile's form)",
    days: 'validity in days (default: 1 for azure-sphere, 365 otherwise)',
    'not-before': 'start of validity, ISO-8601 (default: now)',
    csr: 'sign this CSR (PEM) instead of making a key (default: make a key)',
  },
  examples: ['jitr device issue --ca .jitr/ca --profile azure-sphere --out .jitr/device1'],
  options: {
    ca: { type: 'string' },
    profile: { type: 'string' },
    out: { type: 'string' },
    'device-id': { type: 'string' },
    days: { type: 'string' },
    'not-before': { type: 'string' },
    csr: { type: 'string' },
  },
  async run(input) {
    const caDir = requiredString(input, 'ca');
    const profile = oneOf(input, 'profile', PROFILES);
    if (!profile) throw new UsageError(`--profile is required\n${this.usage}`);
    const out = requiredString(input, 'out');
    const deviceId = optionalString(input, 'device-id');
    if (deviceId !== undefined && deviceId.trim() === '') throw new UsageError('--device-id must not be empty');
    const days = optionalInteger(input, 'days', { min: 1, max: 36_500 });
    const notBefore = optionalDate(input, 'not-before');
    const csrPath = optionalString(input, 'csr');
    const csrPem = csrPath !== undefined ? readInputFile(csrPath, 'CSR') : undefined;
    const ca = readCaDir(caDir);

    const device = await asInputErrors(() =>
      issueFleetDevice(
        { ...ca, profile },
        {
          ...(deviceId !== undefined ? { deviceId } : {}),
          ...(days !== undefined ? { days } : {}),
          ...(notBefore !== undefined ? { notBefore } : {}),
          ...(csrPem !== undefined ? { csrPem } : {}),
        },
      ),
    );
    const files = [
      ...(device.privateKeyPem !== undefined
        ? [{ name: DEVICE_FILES.key, content: device.privateKeyPem, secret: true }]
        : []),
      { name: DEVICE_FILES.certificate, content: device.certificatePem },
      { name: DEVICE_FILES.chain, content: device.chainPem },
    ];
    const written = writeOutputFiles(out, files);
    const data = {
      profile,
      deviceId: device.deviceId,
      thingName: device.thingName,
      certificateId: device.certificateId,
      caCertificateId: ca.certificateId,
      files: written,
    };
    const human = [
      `Issued ${profile} device ${device.deviceId}`,
      `  thing name     ${device.thingName}`,
      `  certificateId  ${device.certificateId}`,
      ...Object.values(written).map((path) => `  wrote          ${path}`),
    ].join('\n');
    return { data, human };
  },
};
