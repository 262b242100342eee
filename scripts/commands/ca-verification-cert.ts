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
  description:
    "Signs the verification certificate AWS IoT asks for when you register a CA in DEFAULT mode: Subject CN = the account's registration code (`aws iot get-registration-code`), signed by the CA's key. `jitr preconfigure --ca-key` does this itself; use this command when the CA key lives on another machine.",
  flags: {
    ca: 'CA directory holding ca.cert.pem and ca.key.pem (required)',
    code: 'the registration code of the AWS account and region (required)',
    out: 'file to write the verification certificate to (required)',
  },
  examples: [
    'jitr ca verification-cert --ca .jitr/ca --code "$(aws iot get-registration-code --query registrationCode --output text)" --out .jitr/verification.pem',
  ],
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
