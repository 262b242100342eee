import { basename, dirname, join } from 'node:path';
import { issueCrl } from '../../certs/crl-issue.js';
import type { Command } from '../cli/command.js';
import { flag, optionalDate, optionalInteger, optionalString, requiredString } from '../cli/flags.js';
import { asInputErrors, readCaDir, writeOutputFiles } from './ca-files.js';
import { readRevocations, revocationInputs, writeRevocations } from './ca-revocations.js';

const DEFAULT_NEXT_UPDATE_HOURS = 24;

export const command: Command = {
  path: ['ca', 'crl'],
  summary: "Sign a CRL of every certificate the CA directory's register lists as revoked",
  usage: [
    'Usage: jitr ca crl --ca DIR [--out FILE] [--next-update HOURS] [--der] [--at ISO] [--json]',
    `  --out          where to write the CRL (default DIR/ca.crl.pem, or DIR/ca.crl with --der)`,
    `  --next-update  hours until the CRL's nextUpdate (default ${DEFAULT_NEXT_UPDATE_HOURS})`,
    'Example: jitr ca crl --ca ./factory-ca --out crl.pem --next-update 48',
  ].join('\n'),
  description:
    "Signs, with the CA's key, a CRL listing every certificate of the CA directory's revocation register (`jitr ca revoke`), with the next CRL number. Publish it where the onboarding Lambda reads it.",
  flags: {
    ca: 'CA directory holding ca.cert.pem, ca.key.pem and the register (required)',
    out: 'where to write the CRL (default: DIR/ca.crl.pem, or DIR/ca.crl with --der)',
    'next-update': `hours until the CRL's nextUpdate (default: ${DEFAULT_NEXT_UPDATE_HOURS})`,
    der: 'write DER instead of PEM (default: PEM)',
    at: "the CRL's thisUpdate, ISO-8601 (default: now)",
  },
  examples: ['jitr ca crl --ca .jitr/ca --out .jitr/ca/crl.pem --next-update 48'],
  options: {
    ca: { type: 'string' },
    out: { type: 'string' },
    'next-update': { type: 'string' },
    der: { type: 'boolean' },
    at: { type: 'string' },
  },
  async run(input) {
    const dir = requiredString(input, 'ca');
    const der = flag(input, 'der');
    const out = optionalString(input, 'out') ?? join(dir, der ? 'ca.crl' : 'ca.crl.pem');
    const hours = optionalInteger(input, 'next-update', { min: 1, max: 24 * 366 }) ?? DEFAULT_NEXT_UPDATE_HOURS;
    const thisUpdate = optionalDate(input, 'at') ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + hours * 3_600_000);
    const ca = readCaDir(dir);
    const register = readRevocations(dir);
    const crlNumber = BigInt(register.crlNumber) + 1n;
    const crl = await asInputErrors(() =>
      issueCrl(ca, { entries: revocationInputs(register), thisUpdate, nextUpdate, crlNumber }),
    );
    const written = writeOutputFiles(dirname(out), [{ name: basename(out), content: der ? crl.der : crl.pem }]);
    writeRevocations(dir, { ...register, crlNumber: crlNumber.toString() });
    const file = written[basename(out)]!;
    const data = {
      file,
      crlNumber: crlNumber.toString(),
      revoked: register.entries.length,
      thisUpdate: thisUpdate.toISOString(),
      nextUpdate: nextUpdate.toISOString(),
      caCertificateId: ca.certificateId,
    };
    const human = [
      `Signed CRL #${crlNumber} listing ${register.entries.length} revoked certificate(s)`,
      `  thisUpdate  ${data.thisUpdate}`,
      `  nextUpdate  ${data.nextUpdate}`,
      `  wrote       ${file}`,
    ].join('\n');
    return { data, human };
  },
};
