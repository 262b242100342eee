import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ParameterReader } from '../fleet-config.js';
import { IOT_ATTEMPTS, quotaRetryStrategy } from './retry.js';

/**
 * SDK clients, created once per Lambda container and reused by every invocation. A boot storm hits IoT's per-API TPS
 * quotas (10 TPS for DescribeCertificate and UpdateCertificate): the IoT client retries a refused call within 2 s, up
 * to 16 attempts (./retry.ts), and the idempotency table's client the same way (8 attempts); SSM keeps the SDK's
 * adaptive mode. A call that still fails after its attempts (JITR_MAX_ATTEMPTS sets them all) throws, and Lambda's
 * retry takes over. Region and endpoint come from the environment (AWS_REGION, AWS_ENDPOINT_URL for the emulator).
 */
const maxAttempts = (fallback = 8): number => {
  const value = Number(process.env.JITR_MAX_ATTEMPTS ?? '');
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

let iot: IoTClient | undefined;
let ssm: SSMClient | undefined;
let dynamo: DynamoDBClient | undefined;

export function iotClient(): IoTClient {
  const attempts = maxAttempts(IOT_ATTEMPTS);
  iot ??= new IoTClient({ maxAttempts: attempts, retryStrategy: quotaRetryStrategy(attempts) });
  return iot;
}

export function ssmClient(): SSMClient {
  ssm ??= new SSMClient({ retryMode: 'adaptive', maxAttempts: maxAttempts() });
  return ssm;
}

/**
 * The idempotency table's client (Powertools Idempotency's DynamoDB persistence layer). Every registration event costs
 * one call, so it retries like the IoT client: under 20% injected failures the SDK's retry budget ran dry and 3,118
 * invocations of a 2,000-device storm failed with IdempotencyPersistenceLayerError (docs/benchmarks.md).
 */
export function dynamoClient(): DynamoDBClient {
  const attempts = maxAttempts();
  dynamo ??= new DynamoDBClient({ maxAttempts: attempts, retryStrategy: quotaRetryStrategy(attempts) });
  return dynamo;
}

/** Reads a parameter's text through SSM; undefined when it does not exist. */
export function ssmParameterReader(client: SSMClient): ParameterReader {
  return async (name) => {
    try {
      const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: false }));
      return Parameter?.Value;
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'ParameterNotFound') return undefined;
      throw error;
    }
  };
}

/**
 * The reconciler's page token between scheduled runs, in an SSM parameter. An empty sweep position is stored as "-"
 * (SSM values cannot be empty).
 */
export function ssmCursorStore(
  client: SSMClient,
  name: string,
): { load(): Promise<string | undefined>; save(token: string | undefined): Promise<void> } {
  const read = ssmParameterReader(client);
  return {
    async load() {
      const value = await read(name);
      return value && value !== '-' ? value : undefined;
    },
    async save(token) {
      await client.send(new PutParameterCommand({ Name: name, Value: token ?? '-', Type: 'String', Overwrite: true }));
    },
  };
}
