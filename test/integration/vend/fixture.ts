import { readFileSync } from 'node:fs';
import { IoTClient } from '@aws-sdk/client-iot';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { VendConfigInput } from '../../../functions/vend/config.js';
import type { LocalEmulator } from '../../../local/server.js';
import { createClaimToken } from '../../../scripts/operator/tokens.js';
import { configureVend } from '../../../scripts/operator/tokens-setup.js';
import { TEST_CREDENTIALS } from '../../helpers/aws.js';

/** The stage the local Lambda runner deploys serverless.yml with (its default), hence the vend SSM names. */
export const STAGE = 'dev';
export const VEND_POLICY = 'jitr-vend-device';

export function localClients(emulator: LocalEmulator): { iot: IoTClient; ssm: SSMClient } {
  const config = { endpoint: emulator.controlPlane, region: emulator.region, credentials: TEST_CREDENTIALS };
  return { iot: new IoTClient(config), ssm: new SSMClient(config) };
}

/** The vending configuration for the emulator: its data endpoint, and its gateway's root as the root CA. */
export function localVendConfig(emulator: LocalEmulator, extra: Partial<VendConfigInput> = {}): VendConfigInput {
  return {
    version: 1,
    policyName: VEND_POLICY,
    dataEndpoint: emulator.iotEndpoint,
    rootCaPem: readFileSync(emulator.serverCa, 'utf8'),
    auth: { mode: 'token' },
    rateLimit: { requests: 20, windowSeconds: 60 },
    ...extra,
  };
}

export async function setUpVend(emulator: LocalEmulator, extra: Partial<VendConfigInput> = {}) {
  const clients = localClients(emulator);
  await configureVend(clients, {
    stage: STAGE,
    config: localVendConfig(emulator, extra),
    scope: { partition: 'aws', region: emulator.region, accountId: emulator.accountId },
  });
  return clients;
}

export async function putSecret(ssm: SSMClient, name: string, value: string): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }));
}

export const tokenFor = async (ssm: SSMClient, deviceId: string) =>
  (await createClaimToken(ssm, { stage: STAGE, deviceId })).token;

export interface VendReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string; field?: string } };
}

/** One HTTP request to the local HTTP API, the way a device sends it. */
export async function vendRequest(
  emulator: LocalEmulator,
  method: 'POST' | 'DELETE' | 'GET' | 'PUT',
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; contentType?: string; authorization?: string } = {},
): Promise<VendReply> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${emulator.httpApi}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: VendReply['body'] = {};
  try {
    parsed = text ? (JSON.parse(text) as VendReply['body']) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
