import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
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
/** Refused credentials per source IP per minute in the tests' configuration (every test of a file shares 127.0.0.1). */
export const FAILED_AUTH_PER_SOURCE = 30;

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
    rateLimit: { requests: 20, windowSeconds: 60, failedAuthPerSource: FAILED_AUTH_PER_SOURCE },
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

/**
 * One HTTP request to the local HTTP API, the way a device sends it. `sourceAddress` picks the loopback address the
 * request comes from (any of 127.0.0.0/8 on Linux), which the HTTP API reports as the event's `sourceIp`.
 */
export async function vendRequest(
  emulator: LocalEmulator,
  method: 'POST' | 'DELETE' | 'GET' | 'PUT',
  path: string,
  options: {
    token?: string;
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    authorization?: string;
    sourceAddress?: string;
  } = {},
): Promise<VendReply> {
  const headers: Record<string, string> = {};
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const { status, responseHeaders, text } = await new Promise<{
    status: number;
    responseHeaders: Headers;
    text: string;
  }>((resolve, reject) => {
    const request = httpRequest(
      `${emulator.httpApi}${path}`,
      { method, headers, ...(options.sourceAddress ? { localAddress: options.sourceAddress } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const received = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) received.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({
            status: response.statusCode ?? 0,
            responseHeaders: received,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
  let parsed: VendReply['body'] = {};
  try {
    parsed = text ? (JSON.parse(text) as VendReply['body']) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status, headers: responseHeaders, body: parsed };
}
