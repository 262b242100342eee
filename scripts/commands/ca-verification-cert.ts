import { basename, dirname } from 'node:path';
import { createVerificationCertificate } from '../../certs/issue.js';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { requiredString } from '../cli/flags.js';
import { asInputErrors, readCaDir, writeOutputFiles } from './ca-files.js';

export const command: Command = {
  path: ['ca', 'verification-cert'],
  summary: "Create the proof-of-possession certificate for AWS IoT's registration code",
  usage: 'Usage: jitr ca verification-cert --ca DIR --code CODE --out FILE [--json]',
  options: {
    ca: { type: 'string' },
    code: { type: 'string' },
    out: { type: 'string' },
  },
  async run(input) {
    const caDir = requiredString(input, 'ca');
    const code = requiredString(input, 'code').trim();
    if (code === '') throw new UsageError('--code must not be blank');
    const out = requiredString(input, 'out');
    const ca = readCaDir(caDir);
    const verification = await asInputErrors(() => createVerificationCertificate(ca, code));
    const written = writeOutputFiles(dirname(out), [{ name: basename(out), content: verification.certificatePem }]);
    const path = Object.values(written)[0];
    return {
      data: {
        certificateId: verification.certificateId,
        subject: `CN=${code}`,
        caCertificateId: ca.certificateId,
        file: path,
      },
      human: `Wrote the verification certificate for code ${code} to ${path}\n  certificateId  ${verification.certificateId}`,
    };
  },
};
