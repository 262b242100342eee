import type { ProfileName } from '../../certs/profiles.js';
import { PROFILES } from '../../certs/profiles.js';
import type { Command } from '../cli/command.js';
import { ExitCode } from '../cli/errors.js';
import { flag, oneOf, optionalString, requiredString } from '../cli/flags.js';
import { table } from '../cli/output.js';
import { readCaCertificate } from '../operator/ca-input.js';
import { progressOn, readBytes, withClients } from '../operator/command-support.js';
import { type PreconfigureResult, ProofRequiredError, preconfigure } from '../operator/preconfigure.js';

export const command: Command = {
  path: ['preconfigure'],
  summary: 'Register a fleet CA and set up its policy, fleet configuration and topic rule (idempotent)',
  usage: [
    'Usage: jitr preconfigure --ca-cert FILE (--ca-key FILE | --verification-cert FILE | --sni-only) --profile P',
    '         [--tenant-id GUID] [--pattern REGEX] [--policy-name NAME] [--stage S] [--function-arn ARN]',
    '         [--error-role-arn ARN] [--label TEXT] [--rollover-from CA_ID_OR_FILE] [--crl SOURCE [--crl-fail-open]]',
    '         [--region R] [--dry-run] [--json]',
  ].join('\n'),
  aws: true,
  description:
    "Makes AWS IoT trust a fleet CA for one stage, idempotently: registers the CA with auto-registration (DEFAULT mode with a proof of possession, or --sni-only), creates the device policy, adds the CA to the stage's fleet configuration and creates its topic rule for the onboard function. Without --ca-key, --verification-cert or --sni-only it prints the registration code and how to make the proof for the profile, and exits 2 (with --dry-run it shows the plan and exits 0).",
  flags: {
    'ca-cert': 'the CA certificate, PEM or DER (required)',
    'ca-key':
      'the CA private key: preconfigure signs the proof itself (one of --ca-key, --verification-cert, --sni-only is required to register)',
    'verification-cert':
      'a proof of possession made elsewhere, e.g. by az sphere ca-certificate download-proof (or --ca-key or --sni-only: one is required to register)',
    'sni-only': 'register in SNI_ONLY mode: no proof; the CA may also be registered in other accounts',
    profile: 'azure-sphere, microchip or generic (required)',
    'tenant-id': 'azure-sphere: the tenant (default: read from the CA name)',
    pattern: 'generic: regular expression taking the device id from the CN (default: the whole CN)',
    'policy-name': 'device policy (default: jitr-device)',
    stage: 'deployment stage (default: dev)',
    'function-arn': 'the onboard function (default: jitr-<stage>-onboard of the account)',
    'error-role-arn': "role of the rules' errorAction (default: jitr-<stage>-iot-rule-error)",
    label: 'a name for the CA in status and doctor (default: none)',
    'rollover-from':
      'a trusted CA this one succeeds (re-issued signer or factory CA; its id or certificate file): devices move onto their Things; a renewed Azure Sphere tenant CA is recognised by its tenant without it (default: none)',
    crl: "where the CA's CRL lives: https://host/path, s3://bucket/key, ssm:/parameter/name, dp (the certificate's own CRL distribution point), or none to stop checking; devices are held back while no current CRL can be read (docs/revocation.md) (default: unchanged, none for a new CA)",
    'crl-fail-open': 'admit devices while no current CRL can be read (default: off, held back)',
    'dry-run': 'print the plan and change nothing',
  },
  examples: [
    'jitr preconfigure --ca-cert .jitr/ca/ca.cert.pem --ca-key .jitr/ca/ca.key.pem --profile azure-sphere',
    'jitr preconfigure --ca-cert tenant.cer --profile azure-sphere --stage prod --dry-run',
    'jitr preconfigure --ca-cert .jitr/ca/ca.cert.pem --ca-key .jitr/ca/ca.key.pem --profile generic --crl s3://fleet-crls/ca.crl',
    'jitr preconfigure --ca-cert factory-ca-2.pem --ca-key factory-ca-2.key --profile generic --rollover-from factory-ca.pem --stage prod',
  ],
  options: {
    'ca-cert': { type: 'string' },
    'ca-key': { type: 'string' },
    'verification-cert': { type: 'string' },
    'sni-only': { type: 'boolean' },
    profile: { type: 'string' },
    'tenant-id': { type: 'string' },
    pattern: { type: 'string' },
    'policy-name': { type: 'string' },
    stage: { type: 'string' },
    'function-arn': { type: 'string' },
    'error-role-arn': { type: 'string' },
    label: { type: 'string' },
    'rollover-from': { type: 'string' },
    crl: { type: 'string' },
    'crl-fail-open': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  async run(input) {
    const caPath = requiredString(input, 'ca-cert');
    const profile = oneOf(input, 'profile', PROFILES) ?? requiredString(input, 'profile');
    const keyPath = optionalString(input, 'ca-key');
    const proofPath = optionalString(input, 'verification-cert');
    const rollover = optionalString(input, 'rollover-from');
    const optional = (name: string) => {
      const value = optionalString(input, name);
      return value === undefined ? {} : { [camel(name)]: value };
    };
    try {
      const result = await withClients(input, (clients) =>
        preconfigure(clients, {
          caCertificate: readBytes(caPath, 'CA certificate'),
          ...(keyPath !== undefined ? { caKey: readBytes(keyPath, 'CA private key') } : {}),
          ...(proofPath !== undefined
            ? { verificationCertificate: readBytes(proofPath, 'verification certificate') }
            : {}),
          sniOnly: flag(input, 'sni-only'),
          profile: profile as ProfileName,
          ...optional('tenant-id'),
          ...optional('pattern'),
          ...optional('policy-name'),
          ...optional('stage'),
          ...optional('function-arn'),
          ...optional('error-role-arn'),
          ...optional('label'),
          ...(rollover !== undefined ? { rolloverFrom: [caIdOf(rollover)] } : {}),
          ...optional('crl'),
          ...(flag(input, 'crl-fail-open') ? { crlFailOpen: true } : {}),
          dryRun: flag(input, 'dry-run'),
          sources: {
            caCertificate: caPath,
            ...(keyPath !== undefined ? { caKey: keyPath } : {}),
            ...(proofPath !== undefined ? { verificationCertificate: proofPath } : {}),
          },
          progress: progressOn(input),
        }),
      );
      return { data: result, human: humanResult(result) };
    } catch (error) {
      if (!(error instanceof ProofRequiredError)) throw error;
      return {
        data: {
          error: { code: error.code, message: error.message },
          registrationCode: error.registrationCode,
          caCertificateId: error.caCertificateId,
          command: error.command,
        },
        human: error.message,
        exitCode: ExitCode.usage,
      };
    }
  },
};

/** A CA certificateId as given, or the id of the CA certificate file at that path. */
function caIdOf(idOrPath: string): string {
  if (/^[0-9a-fA-F]{64}$/.test(idOrPath)) return idOrPath.toLowerCase();
  return readCaCertificate(readBytes(idOrPath, '--rollover-from CA certificate'), idOrPath).certificateId;
}

function camel(flagName: string): string {
  return flagName.replace(/-([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}

function humanResult(result: PreconfigureResult): string {
  const heading = result.dryRun
    ? `Plan for CA ${result.caCertificateId} (dry run: nothing changed)`
    : result.changed
      ? `CA ${result.caCertificateId} is set up for stage ${result.stage}`
      : `CA ${result.caCertificateId} was already set up for stage ${result.stage}: nothing changed`;
  const rows = result.steps.map((step) => [step.step, step.resource, step.result, step.detail]);
  const warnings = result.warnings.map((warning) => `warning: ${warning}`);
  const rollover =
    result.rolloverFrom.length > 0
      ? [`Succeeds CA(s) ${result.rolloverFrom.join(', ')}: their Things take this CA's device certificates.`]
      : [];
  return [heading, table(['STEP', 'RESOURCE', 'RESULT', 'DETAIL'], rows), ...rollover, ...warnings].join('\n');
}
