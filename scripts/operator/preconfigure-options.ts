import { isTenantId } from '../../certs/fleet.js';
import { parseCrlLocation } from '../../functions/crl/location.js';
import { PROFILES, type ProfileName, patternError } from '../../certs/profiles.js';
import { UsageError } from '../cli/errors.js';
import { type CaInput, tenantIdOf } from './ca-input.js';
import { DEFAULT_POLICY_NAME, DEFAULT_STAGE, isStage, LAMBDA_ARN } from './deployment.js';
import { OperatorInputError } from './errors.js';

export interface PreconfigureOptions {
  /** The CA certificate, PEM or DER (bytes, or PEM text). */
  caCertificate: Uint8Array | string;
  /** The CA's private key (PEM or DER): preconfigure signs the verification certificate itself. */
  caKey?: Uint8Array | string;
  /** A proof of possession made elsewhere (Azure Sphere's download-proof), PEM or DER. */
  verificationCertificate?: Uint8Array | string;
  /** Register in SNI_ONLY mode (no proof; the CA may also be registered in other accounts). */
  sniOnly?: boolean;
  profile: ProfileName;
  tenantId?: string;
  /** generic profile: the regular expression that takes the device id from the CN. */
  pattern?: string;
  policyName?: string;
  stage?: string;
  /** The onboard function; default `arn:aws:lambda:<region>:<account>:function:jitr-<stage>-onboard`. */
  functionArn?: string;
  /** Role of the rules' errorAction; default `arn:aws:iam::<account>:role/jitr-<stage>-iot-rule-error`. */
  errorRoleArn?: string;
  label?: string;
  /** certificateIds of trusted CAs this CA succeeds (a re-issued signer or factory CA): their Things take its devices. */
  rolloverFrom?: string[];
  /** Where the CA's CRL lives (docs/revocation.md): an http(s) URL, s3://bucket/key, ssm:/name, dp; `none` removes it. */
  crl?: string;
  /** With `crl`: onboard devices while no current CRL can be had, instead of holding them back. */
  crlFailOpen?: boolean;
  dryRun?: boolean;
  /** Names of the inputs for messages (the file paths). */
  sources?: { caCertificate?: string; caKey?: string; verificationCertificate?: string };
  /** Progress lines (the CLI writes them to stderr). */
  progress?: (message: string) => void;
}

/** The account has no proof of possession yet: here is the code, and how to make the proof for this profile. Exit 2. */
export class ProofRequiredError extends OperatorInputError {
  readonly command: string;

  constructor(
    readonly registrationCode: string,
    readonly caCertificateId: string,
    readonly profile: ProfileName,
  ) {
    super('PROOF_REQUIRED', proofAdvice(profile, registrationCode));
    this.name = 'ProofRequiredError';
    this.command = proofCommand(profile, registrationCode);
  }
}

export function downloadProofCommand(registrationCode: string): string {
  return (
    'az sphere ca-certificate download-proof --resource-group <resource-group> --catalog <catalog> ' +
    `--name <ca-certificate-name> --verification-code ${registrationCode} --output-file verification.cer`
  );
}

/** The command that makes the proof: Azure Sphere's own for its tenant CAs, `jitr ca verification-cert` otherwise. */
export function proofCommand(profile: ProfileName, registrationCode: string): string {
  return profile === 'azure-sphere'
    ? downloadProofCommand(registrationCode)
    : `jitr ca verification-cert --ca <CA directory> --code ${registrationCode} --out verification.pem`;
}

/**
 * What to do when registering needs a proof of possession, for the profile at hand: Azure Sphere tenants download it
 * (Microsoft holds the key); Microchip and generic CAs are signed by whoever holds the CA key.
 */
export function proofAdvice(profile: ProfileName, registrationCode: string): string {
  const sniOnly =
    'or register without a proof: --sni-only (SNI_ONLY mode; the CA may then also be registered in other accounts).';
  if (profile === 'azure-sphere') {
    return [
      `registering this CA needs a proof of possession for registration code ${registrationCode}.`,
      `Azure Sphere: ${downloadProofCommand(registrationCode)}`,
      'then run again with --verification-cert verification.cer;',
      sniOnly,
    ].join('\n');
  }
  return [
    `registering this CA needs a proof of possession for registration code ${registrationCode}.`,
    'Pass --ca-key FILE and preconfigure signs it; or, where the CA key is kept:',
    `  ${proofCommand(profile, registrationCode)}`,
    'then run again with --verification-cert verification.pem;',
    sniOnly,
  ].join('\n');
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;

export interface ResolvedOptions {
  profile: ProfileName;
  stage: string;
  policyName: string;
  sniOnly: boolean;
  /** undefined: keep the entry's CRL setting; null: remove it. */
  crl: { source: string; failClosed: boolean } | null | undefined;
  caSource: string;
  keySource: string;
  verificationSource: string;
  tenantFor(ca: CaInput): string | undefined;
}

/** Checks every option that needs no AWS call, so nothing is read or changed for a bad command line. */
export function resolveOptions(options: PreconfigureOptions): ResolvedOptions {
  if (!(PROFILES as readonly string[]).includes(options.profile)) {
    throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}, got "${options.profile}"`);
  }
  const proofs = [options.caKey, options.verificationCertificate, options.sniOnly ? true : undefined].filter(
    (value) => value !== undefined,
  );
  if (proofs.length > 1) throw new UsageError('give only one of --ca-key, --verification-cert, --sni-only');
  const stage = options.stage ?? DEFAULT_STAGE;
  if (!isStage(stage)) throw new UsageError(`--stage must match [a-zA-Z0-9-]{1,32}, got "${stage}"`);
  const policyName = options.policyName ?? DEFAULT_POLICY_NAME;
  if (!POLICY_NAME.test(policyName)) throw new UsageError(`--policy-name is not an IoT policy name: "${policyName}"`);
  if (options.functionArn !== undefined && !LAMBDA_ARN.test(options.functionArn)) {
    throw new UsageError(`--function-arn is not a Lambda function ARN: "${options.functionArn}"`);
  }
  if (options.tenantId !== undefined && !isTenantId(options.tenantId)) {
    throw new UsageError(`--tenant-id must be a GUID, got "${options.tenantId}"`);
  }
  if (options.pattern !== undefined) {
    if (options.profile !== 'generic') throw new UsageError('--pattern applies to --profile generic only');
    const problem = patternError(options.pattern);
    if (problem) throw new UsageError(`--pattern is not a valid regular expression: ${problem}`);
  }
  for (const id of options.rolloverFrom ?? []) {
    if (!/^[0-9a-fA-F]{64}$/.test(id)) {
      throw new UsageError(
        `--rollover-from must be a CA certificateId (64 hex digits) or a CA certificate file, got "${id}"`,
      );
    }
  }
  if (options.tenantId !== undefined && options.profile !== 'azure-sphere') {
    throw new UsageError('--tenant-id applies to --profile azure-sphere only');
  }
  return {
    profile: options.profile,
    crl: resolveCrl(options),
    stage,
    policyName,
    sniOnly: options.sniOnly === true,
    caSource: options.sources?.caCertificate ?? 'the CA certificate',
    keySource: options.sources?.caKey ?? 'the CA key',
    verificationSource: options.sources?.verificationCertificate ?? 'the verification certificate',
    tenantFor(ca) {
      if (options.profile !== 'azure-sphere') return undefined;
      const fromCa = tenantIdOf(ca);
      const given = options.tenantId?.toLowerCase();
      if (given && fromCa && given !== fromCa) {
        throw new OperatorInputError(
          'TENANT_MISMATCH',
          `--tenant-id ${given} does not match the CA, which is the tenant CA of ${fromCa}`,
        );
      }
      const tenant = given ?? fromCa;
      if (!tenant) {
        throw new UsageError(
          'azure-sphere needs the tenant GUID: pass --tenant-id (the CA subject does not name a tenant)',
        );
      }
      return tenant;
    },
  };
}

function resolveCrl(options: PreconfigureOptions): ResolvedOptions['crl'] {
  if (options.crl === undefined) {
    if (options.crlFailOpen) throw new UsageError('--crl-fail-open needs --crl');
    return undefined;
  }
  if (options.crl === 'none') {
    if (options.crlFailOpen) throw new UsageError('--crl-fail-open needs a CRL source, not --crl none');
    return null;
  }
  const parsed = parseCrlLocation(options.crl);
  if (!parsed.ok) throw new UsageError(`--crl ${parsed.problem}, got "${options.crl}"`);
  return { source: options.crl, failClosed: options.crlFailOpen !== true };
}
