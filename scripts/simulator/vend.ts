import { setTimeout as sleepFor } from 'node:timers/promises';
import { generateKey } from '../../certs/keygen.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import { SimulatorError } from './errors.js';
import { csrForKey } from './identities.js';
import type { DeviceIdentity } from './model.js';

/**
 * One simulated device provisioning itself through the vending endpoint (`POST <url>/devices`), the way firmware would:
 * with a CSR for a key it made (`csr`, preferred: the key never leaves it) or asking for a key pair (`keygen`); retrying
 * throttled (429), busy (5xx) and lost requests with full-jitter backoff; a retry returns the same certificate.
 */
export type VendMode = 'csr' | 'keygen';

export interface VendedIdentity extends DeviceIdentity {
  /** SNI / host of the data endpoint the response named. */
  endpoint: string;
  rootCaPem: string;
}

export interface VendClientOptions {
  /** Base URL of the HTTP API (`http://127.0.0.1:R` locally, `https://<id>.execute-api.<region>.amazonaws.com`). */
  url: string;
  deviceId: string;
  /** Sent as `Authorization: Bearer <token>`: a claim token, or the balena device API key. */
  token: string;
  mode: VendMode;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface VendOutcome {
  identity: VendedIdentity;
  attempts: number;
  decision: string;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** The endpoint refused the device for good (400/401/403/409...): `code` is the endpoint's error code. */
export class VendRefusedError extends SimulatorError {
  readonly status: number;

  constructor(status: number, code: string, deviceId: string) {
    super(code, `vend refused ${deviceId}: ${status} ${code}`);
    this.name = 'VendRefusedError';
    this.status = status;
  }
}

export async function provisionThroughVend(options: VendClientOptions): Promise<VendOutcome> {
  const send = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms).then(() => undefined));
  const maxAttempts = options.maxAttempts ?? 6;
  const key = options.mode === 'csr' ? (await generateKey('P-256')).privateKeyPem : undefined;
  const csr = key !== undefined ? await csrForKey(key, options.deviceId) : undefined;
  let rotate = false;
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let body: Record<string, unknown> = {};
    let retryAfterMs: number | undefined;
    try {
      const response = await send(`${options.url.replace(/\/+$/, '')}/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ deviceId: options.deviceId, ...(csr ? { csr } : {}), ...(rotate ? { rotate } : {}) }),
        signal: AbortSignal.timeout(30_000),
      });
      status = response.status;
      const seconds = Number(response.headers.get('retry-after'));
      if (Number.isFinite(seconds) && seconds > 0) retryAfterMs = seconds * 1000;
      body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    } catch {
      status = 0; // the request or its answer was lost: same as a 5xx
    }
    if (status === 200 || status === 201) {
      const privateKeyPem = key ?? (typeof body.privateKey === 'string' ? body.privateKey : undefined);
      if (privateKeyPem === undefined) {
        // A retry whose first answer was lost: the generated key was shown once. Ask for a new certificate.
        if (rotate || attempt >= maxAttempts) throw new VendRefusedError(status, 'KEY_NOT_RETURNED', options.deviceId);
        rotate = true;
        continue;
      }
      return {
        identity: identityOf(options.deviceId, body, privateKeyPem),
        attempts: attempt,
        decision: String(body.decision),
      };
    }
    const code = String(
      (body.error as { code?: unknown } | undefined)?.code ?? (status === 0 ? 'UNREACHABLE' : `HTTP_${status}`),
    );
    if ((status !== 0 && !RETRYABLE.has(status)) || attempt >= maxAttempts) {
      throw new VendRefusedError(status, code, options.deviceId);
    }
    await sleep(Math.max(retryAfterMs ?? 0, backoffDelay(attempt - 1, options.backoff)));
  }
}

function identityOf(deviceId: string, body: Record<string, unknown>, privateKeyPem: string): VendedIdentity {
  const text = (name: string) => {
    const value = body[name];
    if (typeof value !== 'string' || value === '') {
      throw new SimulatorError('VEND_BAD_RESPONSE', `the vend response for ${deviceId} has no ${name}`);
    }
    return value;
  };
  return {
    deviceId,
    thingName: text('thingName'),
    certificateId: text('certificateId'),
    certificatePem: text('certificatePem'),
    privateKeyPem,
    endpoint: text('endpoint'),
    rootCaPem: text('rootCaPem'),
  };
}
