import { existsSync, readFileSync } from 'node:fs';
import { LOCAL_OPERATOR_CREDENTIALS } from '../../local/iam/identities.js';
import { CliError, ExitCode } from '../cli/errors.js';

/** What `jitr local start` writes when it is ready (its ready line / ready file). */
export interface LocalReady {
  controlPlane: string;
  mqtt: string;
  serverCa: string;
  region: string;
  accountId?: string;
  httpApi?: string;
  /** The emulator's process, for `jitr local stop`. */
  pid?: number;
  /** Keys the emulator accepts for the operator, when it names some (else any key is accepted). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The keys the CLI signs with against the emulator: its operator identity, which `--iam on` authorizes with the
 * least-privilege policy operators are told to grant (docs/local-iam.md), and which `--iam off` accepts like any key.
 */
export const LOCAL_CREDENTIALS = LOCAL_OPERATOR_CREDENTIALS;

const badReady = (message: string) => new CliError('BAD_LOCAL_READY', message, ExitCode.usage);

/** `JITR_LOCAL` holds the ready line itself or the path of a file that does. */
export function parseLocalReady(value: string): LocalReady {
  const text = value.trim().startsWith('{') ? value : readReadyFile(value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badReady('JITR_LOCAL is not the JSON ready line of `jitr local start`');
  }
  const ready = json as Partial<LocalReady>;
  const fields = ['controlPlane', 'mqtt', 'serverCa', 'region'] as const;
  const missing = fields.filter((field) => typeof ready[field] !== 'string' || ready[field] === '');
  if (missing.length > 0) throw badReady(`JITR_LOCAL lacks ${missing.join(', ')} (expected the ready line)`);
  const credentials = ready.credentials;
  if (
    credentials !== undefined &&
    (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string')
  ) {
    throw badReady('JITR_LOCAL: credentials must hold accessKeyId and secretAccessKey');
  }
  return ready as LocalReady;
}

function readReadyFile(path: string): string {
  if (!existsSync(path)) {
    throw badReady(`JITR_LOCAL: ${path} does not exist (is \`jitr local start --ready-file ${path}\` running?)`);
  }
  return (
    readFileSync(path, 'utf8')
      .split('\n')
      .find((line) => line.trim().startsWith('{')) ?? ''
  );
}

/**
 * The environment an AWS command runs with. With `JITR_LOCAL` set, every AWS call goes to that emulator: its control
 * plane as AWS_ENDPOINT_URL (whatever the shell says), its region unless `--region` names one, the emulator's
 * operator keys (unless the ready file names others; never the shell's, which may be real AWS keys), and no
 * AWS_PROFILE or session token, so that no SSO or shared-config lookup reaches AWS.
 * Without it, `--region` sets AWS_REGION and everything else is the SDK's usual chain.
 */
export function awsEnvironment(env: NodeJS.ProcessEnv, region: string | undefined): NodeJS.ProcessEnv {
  const local = env.JITR_LOCAL ? parseLocalReady(env.JITR_LOCAL) : undefined;
  if (!local) return region !== undefined ? { ...env, AWS_REGION: region } : env;
  const credentials = local.credentials ?? LOCAL_CREDENTIALS;
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _session, ...rest } = env;
  return {
    ...rest,
    AWS_ENDPOINT_URL: local.controlPlane,
    AWS_REGION: region ?? local.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}
