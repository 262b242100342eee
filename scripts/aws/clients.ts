import { IoTClient } from '@aws-sdk/client-iot';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

/** The SDK clients every operator command works with; tests and `jitr demo` build them pointed at `local/`. */
export interface OperatorClients {
  iot: IoTClient;
  ssm: SSMClient;
  sqs: SQSClient;
  sts: STSClient;
}

type Env = Record<string, string | undefined>;

const DEFAULT_MAX_ATTEMPTS = 6;

/**
 * Client settings from an environment, the way the SDK's own chain reads them (AWS_PROFILE, AWS_REGION,
 * AWS_ENDPOINT_URL[_<SERVICE>], AWS_ACCESS_KEY_ID...). They are read explicitly rather than left to the SDK because the
 * CLI also runs in-process with an environment that is not `process.env` (tests, `jitr demo`). Whatever is absent is
 * left to the SDK's default chain (shared config files, SSO, instance roles).
 * Adaptive retries: bulk day-2 work (deprovision, replay) meets IoT's per-API TPS quotas and should back off, not fail.
 */
export function clientConfigFromEnv(env: Env, service: 'IOT' | 'SSM' | 'SQS' | 'STS') {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  const attempts = Number(env.JITR_MAX_ATTEMPTS ?? '');
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = env.AWS_SESSION_TOKEN;
  return {
    retryMode: 'adaptive' as const,
    maxAttempts: Number.isInteger(attempts) && attempts > 0 ? attempts : DEFAULT_MAX_ATTEMPTS,
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
  };
}

/** Retry settings that replace the CLI's adaptive default (recovery tools under injected throttles use standard mode). */
export interface RetryOverride {
  retryMode: 'standard' | 'adaptive';
  maxAttempts: number;
}

export function clientsFromEnv(env: Env, retry?: RetryOverride): OperatorClients {
  const config = (service: 'IOT' | 'SSM' | 'SQS' | 'STS') => ({ ...clientConfigFromEnv(env, service), ...retry });
  return {
    iot: new IoTClient(config('IOT')),
    ssm: new SSMClient(config('SSM')),
    sqs: new SQSClient(config('SQS')),
    sts: new STSClient(config('STS')),
  };
}

export function destroyClients(clients: OperatorClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
