import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_ADMIN_CREDENTIALS } from '../../local/iam/identities.js';
import { type LocalEmulator, type LocalOptions, startLocal } from '../../local/server.js';
import { captureEmulatorLogs, type EmulatorLogCapture, printOnFailure } from './emulator-logs.js';

/** Where the real AWS SDK clients talk to the emulator. */
export interface EmulatorEndpoint {
  controlPlane: string;
  region: string;
}

/**
 * Test clients set up scenarios as the emulator's admin identity, deliberately: what a Lambda or the operator may do is
 * tested with their own identities (test/conformance/iam-*.test.ts).
 */
export const TEST_CREDENTIALS = { ...LOCAL_ADMIN_CREDENTIALS };

/** `maxAttempts: 1` turns the SDK's retries off, to see a ThrottlingException or injected fault as it is. */
export interface ClientOptions {
  maxAttempts?: number;
}

function config(emulator: EmulatorEndpoint, options: ClientOptions) {
  return {
    endpoint: emulator.controlPlane,
    region: emulator.region,
    credentials: TEST_CREDENTIALS,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}

export const iotClientFor = (emulator: EmulatorEndpoint, options: ClientOptions = {}) =>
  new IoTClient(config(emulator, options));
export const ssmClientFor = (emulator: EmulatorEndpoint, options: ClientOptions = {}) =>
  new SSMClient(config(emulator, options));
export const sqsClientFor = (emulator: EmulatorEndpoint, options: ClientOptions = {}) =>
  new SQSClient(config(emulator, options));
export const dynamoClientFor = (emulator: EmulatorEndpoint, options: ClientOptions = {}) =>
  new DynamoDBClient(config(emulator, options));
export const stsClientFor = (emulator: EmulatorEndpoint, options: ClientOptions = {}) =>
  new STSClient(config(emulator, options));

/**
 * Starts one emulator for the enclosing describe block and stops it afterwards; its events and Lambda lines go to
 * `local.logs` (printed for a failed test), never to the test output.
 * Usage: `const local = withEmulator({ quotas: 'aws' });` then `local.emulator` inside tests.
 */
export function withEmulator(options: LocalOptions = {}): {
  readonly emulator: LocalEmulator;
  readonly logs: EmulatorLogCapture;
} {
  let current: LocalEmulator | undefined;
  const logs = captureEmulatorLogs();
  printOnFailure(() => logs);
  beforeAll(async () => {
    current = await startLocal({ logs, ...options });
  });
  afterAll(async () => {
    await current?.stop();
  });
  return {
    get emulator(): LocalEmulator {
      if (!current) throw new Error('the emulator is not started (use withEmulator at describe level)');
      return current;
    },
    logs,
  };
}
