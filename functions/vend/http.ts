import { AuthError, type VendError } from './errors.js';

/** An API Gateway HTTP API (payload format 2.0) response. */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const BASE_HEADERS = {
  'content-type': 'application/json',
  // Credentials must never sit in a shared cache.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Server-side problems say what kind they are, not which parameter or upstream host (that is in the log line). */
const SERVER_SIDE: Record<string, string> = {
  // The operator's next step, with the parameter's documented form (the deployment's own name is in the log line).
  VEND_NOT_CONFIGURED:
    'the endpoint is not configured: its operator creates the SSM parameter /jitr/<stage>/vend/config with `jitr vend setup --stage <stage>`',
  UPSTREAM_FAILED: 'a service the endpoint depends on failed; retry later',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The error document: `{ error: { code, message, field? } }`. Authentication failures say nothing more than their status. */
export function errorResponse(error: VendError, retryAfterSeconds?: number): HttpResponse {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers['www-authenticate'] = 'Bearer';
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  const detail =
    error instanceof AuthError
      ? { code: error.code, message: error.message }
      : error.status >= 500
        ? { code: error.code, message: SERVER_SIDE[error.code] ?? 'the service cannot answer now; retry later' }
        : { code: error.code, message: error.message, ...(error.field !== undefined ? { field: error.field } : {}) };
  return json(error.status, { error: detail }, headers);
}

export const internalError = () => json(500, { error: { code: 'INTERNAL', message: 'internal error; retry' } });

/** IoT or SSM kept throttling after the SDK's retries: the client should come back. */
export const retryLater = () =>
  json(503, { error: { code: 'RETRY_LATER', message: 'the service is busy; retry' } }, { 'retry-after': '5' });

export function isThrottling(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return name === 'ThrottlingException' || name === 'TooManyRequestsException';
}
