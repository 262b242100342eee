import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ParameterReader } from '../fleet-config.js';

/**
 * SDK clients, created once per Lambda container and reused by every invocation. Adaptive retry mode: a boot storm
 * hits IoT's per-API TPS quotas (10 TPS for UpdateCertificate), and the adaptive client-side rate limiter backs off
 * instead of burning attempts. A call that still fails after JITR_MAX_ATTEMPTS throws, and Lambda's retry takes over.
 * Region and endpoint come from the environment (AWS_REGION, AWS_ENDPOINT_URL for the local emulator).
 */
const maxAttempts = (): number => {
  const value = Number(process.env.JITR_MAX_ATTEMPTS ?? '');
  return Number.isInteger(value) && value > 0 ? value : 8;
};

let iot: IoTClient | undefined;
let ssm: SSMClient | undefined;
let dynamo: DynamoDBClient | undefined;

export function iotClient(): IoTClient {
  iot ??= new IoTClient({ retryMode: 'adaptive', maxAttempts: maxAttempts() });
  return iot;
}

export function ssmClient(): SSMClient {
  ssm ??= new SSMClient({ retryMode: 'adaptive', maxAttempts: maxAttempts() });
  return ssm;
}

/** The idempotency table's client (Powertools Idempotency's DynamoDB persistence layer). */
export function dynamoClient(): DynamoDBClient {
  dynamo ??= new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: maxAttempts() });
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
