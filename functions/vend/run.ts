import type { Telemetry } from '../observability.js';
import { type Authenticator, balenaAuthenticator, type SecretStore, tokenAuthenticator } from './auth.js';
import { BALENA_UUID, type BalenaApi } from './balena-api.js';
import { amazonRootCa1, type VendConfig } from './config.js';
import { AuthError, invalidField, notConfigured, VendError } from './errors.js';
import { errorResponse, type HttpResponse, internalError, isThrottling, json, retryLater } from './http.js';
import type { VendIotPort } from './port.js';
import { DeviceRateLimiter, SlidingWindowLimiter } from './rate-limit.js';
import { parseHttpEvent, type VendRequest } from './request.js';
import { balenaEnvSink, type CredentialSink, responseSink } from './sink.js';
import { deprovisionDevice, provisionDevice, thingNameOf, type VendWorkflowDeps } from './workflow.js';

export interface VendDeps {
  config: { get(): Promise<VendConfig> };
  iot: VendIotPort;
  /** SSM SecureStrings, decrypted: the claim-token records and the balenaCloud operator token. */
  secrets: SecretStore;
  /** SSM path under which `jitr token create` stores token records (`/jitr/<stage>/vend/tokens/`). */
  tokenPrefix: string;
  balenaApi: (apiUrl: string) => BalenaApi;
  now: () => number;
  /** The container's Logger and Metrics (Powertools): one log line and the metrics of each decision. */
  telemetry: Telemetry;
}

interface Prepared {
  auth: Authenticator;
  sink: CredentialSink;
  workflow: Omit<VendWorkflowDeps, 'iot'>;
}

interface Limiters {
  key: string;
  /** Authenticated requests per device id: spent only once the caller proved it may act for the device. */
  device: DeviceRateLimiter;
  /** Refused credentials per source IP: a flood naming someone else's device is stopped here, before any lookup. */
  failedAuth: SlidingWindowLimiter;
}

let limiters: Limiters | undefined;

function limitersFor(config: VendConfig): Limiters {
  const { requests, windowSeconds, failedAuthPerSource } = config.rateLimit;
  const key = `${requests}/${failedAuthPerSource}/${windowSeconds}`;
  if (limiters?.key !== key) {
    limiters = {
      key,
      device: new DeviceRateLimiter(requests, windowSeconds * 1000),
      failedAuth: new SlidingWindowLimiter(failedAuthPerSource, windowSeconds * 1000),
    };
  }
  return limiters;
}

/** Test hook: forget the per-container rate-limit state. */
export function resetRateLimits(): void {
  limiters = undefined;
}

/** API Gateway always sets the source; a direct invocation without one shares this bucket. */
const UNKNOWN_SOURCE = 'unknown';

function prepare(config: VendConfig, deps: VendDeps): Prepared {
  const balena = config.balena;
  const operatorToken = async () => {
    if (!balena) throw notConfigured('the balena section is missing');
    const token = await deps.secrets.read(balena.tokenParameter);
    if (!token) throw notConfigured(`SSM parameter ${balena.tokenParameter} (balenaCloud token) does not exist`);
    return token.trim();
  };
  const api = balena ? deps.balenaApi(balena.apiUrl) : undefined;
  const auth =
    config.auth.mode === 'balena' && api
      ? balenaAuthenticator(api, operatorToken)
      : tokenAuthenticator(deps.secrets, deps.tokenPrefix);
  const sink =
    config.sink.mode === 'balena-env' && api ? balenaEnvSink(api, operatorToken, config.sink.service) : responseSink;
  const rootCaPem = config.rootCaPem ?? amazonRootCa1();
  if (!rootCaPem) throw notConfigured('no rootCaPem configured and Amazon Root CA 1 is not in the runtime trust store');
  return {
    auth,
    sink,
    workflow: {
      sink,
      policyName: config.policyName,
      ...(config.thingTypeName ? { thingTypeName: config.thingTypeName } : {}),
      endpoint: config.dataEndpoint,
      rootCaPem,
    },
  };
}

/** Counts the IoT calls one request makes (for the log line). */
function countingPort(iot: VendIotPort): { port: VendIotPort; calls: () => number } {
  let calls = 0;
  const port = Object.fromEntries(
    Object.entries(iot).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        calls++;
        return (fn as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as VendIotPort;
  return { port, calls: () => calls };
}

/**
 * Handles one HTTP request: validate, refuse a source with too many refused credentials, authenticate, rate-limit the
 * device, then provision or deprovision. Every outcome is one
 * response with a stable code and one log line (decision, reason codes, device, certificate; never a token or key).
 */
export async function handleVendRequest(event: unknown, deps: VendDeps): Promise<HttpResponse> {
  const started = deps.now();
  const { port, calls } = countingPort(deps.iot);
  let request: VendRequest | undefined;
  const log = (decision: string, status: number, extra: Record<string, unknown>) =>
    deps.telemetry.decision({
      decision,
      reasons: [],
      status,
      ...(request ? { deviceId: request.deviceId, thingName: thingNameOf(request.deviceId) } : {}),
      ...(request ? { operation: request.kind } : {}),
      apiCalls: calls(),
      apiDepth: calls(),
      durationMs: deps.now() - started,
      ...extra,
    });
  try {
    request = parseHttpEvent(event);
    const config = await deps.config.get();
    const limits = limitersFor(config);
    const source = request.sourceIp ?? UNKNOWN_SOURCE;
    // Order matters: nothing a caller without a credential sends may spend the device's own budget (issue 13).
    const blocked = limits.failedAuth.retryAfter(source, started);
    if (blocked !== undefined) {
      const error = new VendError('RATE_LIMITED', 429, `too many refused credentials from here; retry in ${blocked} s`);
      log('refused', 429, { reasons: [error.code, 'SOURCE_AUTH_FAILURES'], sourceIp: source });
      return errorResponse(error, blocked);
    }
    const prepared = prepare(config, deps);
    if ((config.auth.mode === 'balena' || config.sink.mode === 'balena-env') && !BALENA_UUID.test(request.deviceId)) {
      throw invalidField(
        'deviceId',
        'deviceId must be a balena device UUID (32 or 62 lowercase hex)',
        'INVALID_DEVICE_ID',
      );
    }
    try {
      await prepared.auth.authenticate(request.deviceId, request.bearer);
    } catch (error) {
      if (error instanceof AuthError) limits.failedAuth.record(source, started);
      throw error;
    }
    const wait = limits.device.take(request.deviceId, started);
    if (wait !== undefined) {
      const error = new VendError('RATE_LIMITED', 429, `too many requests for this device; retry in ${wait} s`);
      log('refused', 429, { reasons: [error.code, 'DEVICE_REQUESTS'] });
      return errorResponse(error, wait);
    }
    const workflow: VendWorkflowDeps = { ...prepared.workflow, iot: port };
    if (request.kind === 'deprovision') {
      const outcome = await deprovisionDevice(request.deviceId, workflow);
      await prepared.auth.revoke(request.deviceId);
      log('deprovisioned', 200, { retired: outcome.retired });
      return json(200, { thingName: outcome.thingName, deleted: true, retired: outcome.retired });
    }
    const outcome = await provisionDevice(
      {
        deviceId: request.deviceId,
        rotate: request.rotate,
        ...(request.csr !== undefined && request.csrKey ? { csr: request.csr, csrKey: request.csrKey } : {}),
      },
      workflow,
    );
    const { privateKey, ...publicPart } = outcome.credentials;
    const status = outcome.decision === 'existing' ? 200 : 201;
    log(outcome.decision, status, {
      certificateId: outcome.credentials.certificateId,
      keyGenerated: privateKey !== undefined,
      sink: prepared.sink.mode,
      ...(outcome.retired.length > 0 ? { retired: outcome.retired } : {}),
    });
    return json(status, {
      ...publicPart,
      ...(privateKey !== undefined && prepared.sink.mode === 'response' ? { privateKey } : {}),
      decision: outcome.decision,
      sink: prepared.sink.mode,
    });
  } catch (error) {
    if (error instanceof VendError) {
      const reasons = error instanceof AuthError ? [error.code, error.reason] : [error.code];
      log('refused', error.status, {
        reasons,
        ...(error instanceof AuthError ? { sourceIp: request?.sourceIp ?? UNKNOWN_SOURCE } : {}),
        ...(error.field ? { field: error.field } : {}),
        ...(error.status >= 500 ? { detail: error.message } : {}),
      });
      return errorResponse(error);
    }
    deps.telemetry.failure(error, {
      ...(request ? { deviceId: request.deviceId } : {}),
      durationMs: deps.now() - started,
    });
    return isThrottling(error) ? retryLater() : internalError();
  }
}
