import { ENTRY_REASONS } from '../../certs/crl-issue.js';
import { normaliseSerialNumber } from '../../certs/deny.js';
import { fieldsOf } from '../../certs/fields.js';
import { parseCertificate } from '../../certs/parse.js';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/errors.js';
import { oneOf, optionalDate, optionalString, requiredString } from '../cli/flags.js';
import { readCaDir, readInputBytes } from './ca-files.js';
import { addRevocation, readRevocations, writeRevocations } from './ca-revocations.js';

/** The serial number of `--cert FILE`, refused when another CA issued it. */
function serialOfCertificate(path: string, caPem: string): string {
  let device: ReturnType<typeof fieldsOf>;
  try {
    device = fieldsOf(parseCertificate(readInputBytes(path, 'certificate')).der);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('MALFORMED_CERTIFICATE', `${path}: ${(error as Error).message}`, { cause: error });
  }
  const ca = fieldsOf(parseCertificate(caPem).der);
  if (!Buffer.from(device.issuerDer).equals(Buffer.from(ca.subjectDer))) {
    throw new InputError('NOT_ISSUED_BY_CA', `${path} was not issued by this CA (its issuer is another name)`);
  }
  return device.serialNumber;
}

export const command: Command = {
  path: ['ca', 'revoke'],
  summary: "Record a device certificate as revoked in the CA directory's register (publish it with `jitr ca crl`)",
  usage: [
    'Usage: jitr ca revoke --ca DIR (--serial HEX | --cert FILE) [--reason REASON] [--at ISO] [--json]',
    `  --reason  one of ${ENTRY_REASONS.join(', ')} (default unspecified)`,
    'Example: jitr ca revoke --ca ./factory-ca --cert device.cert.pem --reason keyCompromise',
  ].join('\n'),
  description:
    "Adds a device certificate to the CA directory's revocation register (revoked.json beside ca.cert.pem): by serial number, or by the certificate file (refused when another CA issued it). Nothing is published until `jitr ca crl` signs a CRL of the register. Revoking twice changes nothing.",
  flags: {
    ca: 'CA directory holding ca.cert.pem and ca.key.pem (required)',
    serial: 'the serial number in hex (one of --serial, --cert is required)',
    cert: 'the device certificate file (one of --serial, --cert is required)',
    reason: `one of ${ENTRY_REASONS.join(', ')} (default: unspecified)`,
    at: 'revocation time, ISO-8601 (default: now)',
  },
  examples: ['jitr ca revoke --ca .jitr/ca --cert .jitr/device1/device.cert.pem --reason keyCompromise'],
  options: {
    ca: { type: 'string' },
    serial: { type: 'string' },
    cert: { type: 'string' },
    reason: { type: 'string' },
    at: { type: 'string' },
  },
  async run(input) {
    const dir = requiredString(input, 'ca');
    const serialFlag = optionalString(input, 'serial');
    const certPath = optionalString(input, 'cert');
    if ((serialFlag === undefined) === (certPath === undefined)) {
      throw new UsageError(`give exactly one of --serial and --cert\n${this.usage}`);
    }
    if (serialFlag !== undefined && !/^[0-9a-f]{1,40}$/.test(normaliseSerialNumber(serialFlag))) {
      throw new UsageError(`--serial must be a hex serial number (at most 20 bytes), got "${serialFlag}"`);
    }
    const reason = oneOf(input, 'reason', ENTRY_REASONS) ?? 'unspecified';
    const revokedAt = optionalDate(input, 'at') ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    const ca = readCaDir(dir);
    const serialNumber =
      certPath !== undefined ? serialOfCertificate(certPath, ca.certificatePem) : normaliseSerialNumber(serialFlag!);
    const { register, added } = addRevocation(readRevocations(dir), { serialNumber, revokedAt, reason });
    const file = added ? writeRevocations(dir, register) : undefined;
    const existing = register.entries.find((entry) => entry.serialNumber === serialNumber)!;
    const data = {
      serialNumber,
      added,
      reason: existing.reason,
      revokedAt: existing.revokedAt,
      revoked: register.entries.length,
      ...(file ? { file } : {}),
    };
    const human = added
      ? `Revoked serial ${serialNumber} (${reason}); ${register.entries.length} revoked in ${dir}. Publish with: jitr ca crl --ca ${dir}`
      : `Serial ${serialNumber} was already revoked (${existing.reason}, ${existing.revokedAt}); nothing changed.`;
    return { data, human };
  },
};
