/**
 * Bundle-time stand-in for `@aws-sdk/credential-provider-node` (serverless.yml aliases it here).
 *
 * Lambda always hands a function its role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 * which is the first source the SDK's default chain reads anyway. Dropping the rest of the chain (SSO, STS web identity,
 * INI files, IMDS, process) removes ~85 KB of minified code from every bundle. Code run with tsx or by the local emulator
 * imports the real chain; only the deployed bundle uses this.
 */
interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export class MissingCredentialsError extends Error {
  readonly code = 'MISSING_CREDENTIALS';

  constructor() {
    super('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda always sets them)');
    this.name = 'MissingCredentialsError';
  }
}

export function defaultProvider(): () => Promise<EnvCredentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) throw new MissingCredentialsError();
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  };
}
